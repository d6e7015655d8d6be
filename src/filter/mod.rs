//! PocketBase filter language (spec 03): parsing filters and sorts, and compiling them to SQL.
//!
//! A pure leaf module: no IO and no database access. The store layer plugs in through
//! [`FieldResolver`], which turns record identifiers into SQL.
//!
//! # Public API
//!
//! ```text
//! parse(input) -> Result<Expr, FilterError>                     // default limits
//! parse_with(input, &Limits) -> Result<Expr, FilterError>
//! build_where(&Expr, &mut dyn FieldResolver, &mut ParamSink) -> Result<String, FilterError>
//! parse_sort(input) -> Result<Vec<SortItem>, FilterError>
//! build_order_by(&[SortItem], &mut dyn FieldResolver, rowid_sql) -> Result<String, FilterError>
//! split_modifier("tags:each") == ("tags", Some("each"))
//! ```
//!
//! * `parse("")` is [`Expr::Empty`] (no filter; `build_where` renders it as `1=1`). Whitespace
//!   or comments alone are an error, as in PocketBase.
//! * Limits ([`Limits::default`]): at most 3500 bytes, 200 comparisons, function nesting 3.
//!   `\r` outside quotes/comments is an error. Text escapes: `\\ \' \" \n \t \r`; any other
//!   backslash is literal (observed on PocketBase 0.40.6).
//! * `build_where` handles literals (bound as `:{prefix}{n}` parameters of the [`ParamSink`]),
//!   `null`/`true`/`false` (only when the resolver fails on them), the datetime macros
//!   (`@now`…, "now" taken from the sink), `@request.body.f:changed` (expanded to
//!   `(@request.body.f:isset = true && @request.body.f != f)`), the functions `geoDistance` and
//!   `strftime`, and every operator with the null-fallback, LIKE and multi-match rules.
//!   Everything else (fields, paths, `@request.*`, `@collection.*`, modifiers other than
//!   `:changed`) goes verbatim to the resolver; [`split_modifier`] helps it split modifiers.
//! * Multi-valued operands: the resolver sets [`ResolvedOperand::multi_match`] to a
//!   [`MultiMatch`] whose `SELECT {value_sql} AS multiMatchValue FROM {from_sql}` lists every
//!   value for the current outer row; plain operators then require all of them to match
//!   (`NOT EXISTS … WHERE NOT (…)`), `?` operators only use the joined comparison.

mod ast;
mod functions;
mod like;
mod macros;
mod parser;
mod resolver;
mod sort;
mod sql;

#[cfg(test)]
mod tests_parse;
#[cfg(test)]
mod tests_sql;
#[cfg(test)]
mod tests_sql_more;

pub use ast::{Chain, Comparison, Expr, Function, Join, Node, Op, Operand};
pub use like::like_pattern;
pub use macros::{format_datetime, macro_value, MACRO_NAMES};
pub use parser::is_valid_identifier;
pub use resolver::{
    split_modifier, FieldResolver, MultiMatch, NullFallback, ParamSink, ResolvedOperand, SqlValue,
};
pub use sort::{
    build_order_by, parse_sort, SortItem, MAX_SORT_ITEMS, MAX_SORT_ITEM_LEN, RANDOM_SORT_KEY,
    ROWID_SORT_KEY,
};
pub use sql::build_where;

/// Why a filter or sort was refused. Every variant means a client error (HTTP 400).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FilterError {
    /// The text does not follow the grammar.
    #[error("invalid filter expression: {0}")]
    Syntax(String),
    /// The input is longer than allowed.
    #[error("the filter expression is too long (max {max} bytes)")]
    TooLong {
        /// The limit.
        max: usize,
    },
    /// More comparisons than allowed.
    #[error("too many comparisons in the filter expression (max {max})")]
    TooManyComparisons {
        /// The limit.
        max: usize,
    },
    /// Parentheses nested too deeply.
    #[error("the filter expression is nested too deeply (max {max} levels)")]
    TooDeep {
        /// The limit.
        max: usize,
    },
    /// Function calls nested too deeply.
    #[error("function calls are nested too deeply (max {max} levels)")]
    FunctionTooDeep {
        /// The limit.
        max: usize,
    },
    /// Unknown function, wrong arity or wrong argument kind.
    #[error("invalid function call: {0}")]
    Function(String),
    /// An identifier could not be resolved (message chosen by the resolver, e.g. unknown field).
    #[error("{0}")]
    Resolve(String),
    /// Invalid sort parameter.
    #[error("invalid sort: {0}")]
    Sort(String),
}

/// Parsing limits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Maximum input length in bytes (`None` = unlimited, e.g. for stored rules).
    pub max_len: Option<usize>,
    /// Maximum number of comparisons.
    pub max_comparisons: usize,
    /// Maximum function nesting.
    pub max_function_depth: usize,
}

/// Default maximum filter length in bytes.
pub const MAX_FILTER_LEN: usize = 3500;
/// Default maximum number of comparisons.
pub const MAX_COMPARISONS: usize = 200;
/// Maximum parenthesis nesting (groups and calls). 3500 bytes cannot nest deeper than 1748
/// levels, so this only protects callers that lift the length limit.
pub const MAX_NESTING: usize = 1750;
/// Default maximum function nesting.
pub const MAX_FUNCTION_DEPTH: usize = 3;

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_len: Some(MAX_FILTER_LEN),
            max_comparisons: MAX_COMPARISONS,
            max_function_depth: MAX_FUNCTION_DEPTH,
        }
    }
}

/// Parses a filter with the default [`Limits`].
pub fn parse(input: &str) -> Result<Expr, FilterError> {
    parse_with(input, &Limits::default())
}

/// Parses a filter with explicit limits. Function names, arities and argument kinds are
/// checked here too.
pub fn parse_with(input: &str, limits: &Limits) -> Result<Expr, FilterError> {
    if input.is_empty() {
        return Ok(Expr::Empty);
    }
    if let Some(max) = limits.max_len {
        if input.len() > max {
            return Err(FilterError::TooLong { max });
        }
    }
    let pre = parser::prescan(input);
    if pre.depth > MAX_NESTING {
        return Err(FilterError::TooDeep { max: MAX_NESTING });
    }
    if let Some(msg) = pre.error {
        return Err(FilterError::Syntax(msg));
    }
    let chain = parser::parse_chain(input).map_err(FilterError::Syntax)?;
    if ast::count_comparisons(&chain) > limits.max_comparisons {
        return Err(FilterError::TooManyComparisons {
            max: limits.max_comparisons,
        });
    }
    if ast::function_depth(&chain) > limits.max_function_depth {
        return Err(FilterError::FunctionTooDeep {
            max: limits.max_function_depth,
        });
    }
    functions::validate_chain(&chain)?;
    Ok(Expr::Chain(chain))
}
