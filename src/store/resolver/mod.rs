//! The record field resolver (spec 03 §2–§5, §7): turns filter and rule identifiers of one collection
//! (fields, relation paths, back relations, JSON paths, `@request.*`, `@collection.*`) into SQL for the
//! filter module, collecting the `LEFT JOIN`s, their parameters and the §7 list-rule conditions.
//!
//! One resolver serves one SQL statement: the list rule, the client filter and the sort of a list
//! request share it (and so share joins by alias, exactly like PocketBase), switching [`ResolverMode`]
//! in between. After building, the caller adds [`RecordResolver::joins`] after `FROM <table>`, ANDs
//! [`RecordResolver::conditions`] into the `WHERE` and binds [`RecordResolver::params`] together with
//! the filter's own parameters. Use `SELECT DISTINCT` (or distinct row ids) when
//! [`RecordResolver::has_joins`] is true.

mod cache;
mod joins;
mod request;
mod runner;
#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_rules;

pub use cache::{parse_cached, ParseKind};
pub use request::header_key;

use super::sql::ident;
use crate::filter::{self, FieldResolver, FilterError, ParamSink, ResolvedOperand, SqlValue};
use crate::model::Collection;
use joins::Join;
use serde_json::{Map, Value};

/// Maximum number of relation hops in one path.
pub const MAX_RELATION_HOPS: usize = 6;

/// The request data rules may read through `@request.*`.
///
/// `query` and `headers` hold the first value of each key; header names must be normalised with
/// [`header_key`] (`User-Agent` → `user_agent`), see [`RequestInfo::insert_header`]. `body` is the
/// submitted data after modifier resolution and hidden-field stripping.
#[derive(Debug, Clone, Default)]
pub struct RequestInfo {
    pub method: String,
    pub context: String,
    pub query: Map<String, Value>,
    pub headers: Map<String, Value>,
    pub body: Map<String, Value>,
    /// The auth record's collection and values, when signed in.
    pub auth: Option<(std::sync::Arc<Collection>, Map<String, Value>)>,
}

impl RequestInfo {
    /// Adds a header under its normalised name; an existing value is kept (first value wins).
    pub fn insert_header(&mut self, name: &str, value: &str) {
        self.headers
            .entry(header_key(name))
            .or_insert_with(|| Value::String(value.to_string()));
    }
}

/// Where an expression comes from, which decides what it may reach (spec 03 §7).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ResolverMode {
    /// API rules and superuser filters: hidden fields allowed, no list-rule propagation, no
    /// `emailVisibility` restriction.
    Rule,
    /// A non-superuser's `filter`/`sort`: hidden fields refused, joined collections must have a
    /// list rule (null → error, non-empty → its condition is ANDed), auth emails require
    /// `emailVisibility = TRUE`.
    ClientFilter,
}

impl From<bool> for ResolverMode {
    /// `true` = hidden fields allowed = [`ResolverMode::Rule`].
    fn from(allow_hidden: bool) -> Self {
        if allow_hidden {
            ResolverMode::Rule
        } else {
            ResolverMode::ClientFilter
        }
    }
}

/// The collections a resolver may reach: owned (inside a collection save) or the app's shared cache
/// (request paths, so nothing is cloned per request).
#[derive(Debug, Clone, Copy)]
pub enum CollectionSet<'a> {
    Owned(&'a [Collection]),
    Shared(&'a [std::sync::Arc<Collection>]),
}

impl<'a> CollectionSet<'a> {
    /// A collection by id, or by name case-insensitively.
    pub fn find(&self, id_or_name: &str) -> Option<&'a Collection> {
        match *self {
            CollectionSet::Owned(all) => all
                .iter()
                .find(|c| c.id == id_or_name)
                .or_else(|| all.iter().find(|c| c.name.eq_ignore_ascii_case(id_or_name))),
            CollectionSet::Shared(all) => all
                .iter()
                .find(|c| c.id == id_or_name)
                .or_else(|| all.iter().find(|c| c.name.eq_ignore_ascii_case(id_or_name)))
                .map(|c| &**c),
        }
    }
}

impl<'a> From<&'a [Collection]> for CollectionSet<'a> {
    fn from(all: &'a [Collection]) -> Self {
        CollectionSet::Owned(all)
    }
}

impl<'a> From<&'a Vec<Collection>> for CollectionSet<'a> {
    fn from(all: &'a Vec<Collection>) -> Self {
        CollectionSet::Owned(all)
    }
}

impl<'a> From<&'a [std::sync::Arc<Collection>]> for CollectionSet<'a> {
    fn from(all: &'a [std::sync::Arc<Collection>]) -> Self {
        CollectionSet::Shared(all)
    }
}

impl<'a> From<&'a std::sync::Arc<Vec<std::sync::Arc<Collection>>>> for CollectionSet<'a> {
    fn from(all: &'a std::sync::Arc<Vec<std::sync::Arc<Collection>>>) -> Self {
        CollectionSet::Shared(all)
    }
}

impl<'a> From<&'a Vec<std::sync::Arc<Collection>>> for CollectionSet<'a> {
    fn from(all: &'a Vec<std::sync::Arc<Collection>>) -> Self {
        CollectionSet::Shared(all)
    }
}

/// Resolves identifiers of `collection` (the row is known as `base_alias`, by default its name).
pub struct RecordResolver<'a> {
    collection: &'a Collection,
    all: CollectionSet<'a>,
    request: Option<&'a RequestInfo>,
    mode: ResolverMode,
    /// Alias of the current row in the outer statement.
    base_alias: String,
    /// Table (or CTE) the multi-match subqueries read the base rows from.
    base_table: String,
    joins: Vec<Join>,
    /// Parameters of joins and conditions.
    params: Vec<(String, SqlValue)>,
    /// §7 list-rule conditions, by join alias.
    conditions: Vec<(String, String)>,
    param_prefix: String,
    next_param: usize,
}

impl<'a> RecordResolver<'a> {
    /// A resolver over `collection`'s own table. `allow_hidden` picks [`ResolverMode::Rule`]
    /// (true) or [`ResolverMode::ClientFilter`] (false).
    pub fn new(
        collection: &'a Collection,
        all: impl Into<CollectionSet<'a>>,
        request: Option<&'a RequestInfo>,
        allow_hidden: bool,
    ) -> Self {
        Self::with_mode(collection, all, request, allow_hidden.into())
    }

    /// A resolver over `collection`'s own table in the given mode.
    pub fn with_mode(
        collection: &'a Collection,
        all: impl Into<CollectionSet<'a>>,
        request: Option<&'a RequestInfo>,
        mode: ResolverMode,
    ) -> Self {
        RecordResolver {
            collection,
            all: all.into(),
            request,
            mode,
            base_alias: collection.name.clone(),
            base_table: collection.name.clone(),
            joins: Vec::new(),
            params: Vec::new(),
            conditions: Vec::new(),
            param_prefix: "__r".to_string(),
            next_param: 0,
        }
    }

    /// Reads the base rows from `table` (e.g. the one-row CTE of a create rule), known as `table`.
    pub fn with_base_table(mut self, table: &str) -> Self {
        self.base_alias = table.to_string();
        self.base_table = table.to_string();
        self
    }

    /// Names the resolver's own parameters `:{prefix}{n}` (default `__r`). Keep it distinct from the
    /// prefixes of the [`ParamSink`]s used in the same statement.
    pub fn with_param_prefix(mut self, prefix: &str) -> Self {
        self.param_prefix = prefix
            .chars()
            .filter(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect();
        if self.param_prefix.is_empty() {
            self.param_prefix.push_str("__r");
        }
        self
    }

    /// The current mode.
    pub fn mode(&self) -> ResolverMode {
        self.mode
    }

    /// Switches the mode for the identifiers resolved from now on (joins already made stay).
    pub fn set_mode(&mut self, mode: ResolverMode) {
        self.mode = mode;
    }

    /// True when any join was registered (the statement then needs `DISTINCT`).
    pub fn has_joins(&self) -> bool {
        !self.joins.is_empty()
    }

    /// The `LEFT JOIN …` clauses collected while resolving, in registration order.
    pub fn joins(&self) -> String {
        self.joins
            .iter()
            .map(Join::sql)
            .collect::<Vec<_>>()
            .join(" ")
    }

    /// The §7 list-rule conditions of the joined collections (client filters only); each must be
    /// ANDed into the statement's `WHERE`.
    pub fn conditions(&self) -> Vec<String> {
        self.conditions.iter().map(|(_, c)| c.clone()).collect()
    }

    /// The parameters used by [`Self::joins`] and [`Self::conditions`].
    pub fn params(&self) -> &[(String, SqlValue)] {
        &self.params
    }

    /// A fresh parameter holding `value`, registered with the resolver's parameters.
    fn add_param(&mut self, value: SqlValue) -> String {
        let name = self.fresh_param();
        self.params.push((name.clone(), value));
        name
    }

    /// A fresh parameter name (the value is carried by the operand or multi-match).
    fn fresh_param(&mut self) -> String {
        let name = format!(":{}{}", self.param_prefix, self.next_param);
        self.next_param += 1;
        name
    }

    /// Finds a collection by id, or by name case-insensitively.
    fn find_collection(&self, id_or_name: &str) -> Option<&'a Collection> {
        self.all.find(id_or_name)
    }

    /// Registers a join (a join with the same alias is kept as is). In client-filter mode a join to
    /// a collection also applies that collection's list rule (spec 03 §7).
    fn register_join(
        &mut self,
        join: Join,
        target: Option<&'a Collection>,
    ) -> Result<(), FilterError> {
        let alias = join.alias.clone();
        if !self.joins.iter().any(|j| j.alias == alias) {
            self.joins.push(join);
        }
        if self.mode == ResolverMode::ClientFilter {
            if let Some(target) = target {
                if !self.conditions.iter().any(|(a, _)| *a == alias) {
                    if let Some(cond) = self.list_rule_condition(target, &alias)? {
                        self.conditions.push((alias, cond));
                    }
                }
            }
        }
        Ok(())
    }

    /// `((alias.id = '' OR alias.id IS NULL) OR (<listRule over alias>))`, `None` for an empty
    /// rule, an error for a null (superuser-only) rule.
    fn list_rule_condition(
        &mut self,
        target: &'a Collection,
        alias: &str,
    ) -> Result<Option<String>, FilterError> {
        let rule = match &target.list_rule {
            None => {
                return Err(FilterError::Resolve(format!(
                    "\"{}\" fields can be accessed only when allowHiddenFields is enabled or by superusers",
                    target.name
                )))
            }
            Some(r) if r.trim().is_empty() => return Ok(None),
            Some(r) => r,
        };
        let expr = parse_cached(rule, ParseKind::Rule)?;
        let mut sub = RecordResolver {
            collection: target,
            all: self.all,
            request: self.request,
            mode: ResolverMode::Rule,
            base_alias: alias.to_string(),
            base_table: target.name.clone(),
            joins: std::mem::take(&mut self.joins),
            params: Vec::new(),
            conditions: Vec::new(),
            param_prefix: self.param_prefix.clone(),
            next_param: self.next_param,
        };
        let mut sink = ParamSink::new(&format!("__lr{}_", self.conditions.len()));
        let built = filter::build_where(&expr, &mut sub, &mut sink);
        self.joins = sub.joins;
        self.next_param = sub.next_param;
        self.params.extend(sub.params);
        let sql = built?;
        self.params.extend(sink.into_params());
        let id = format!("{}.`id`", ident(alias));
        Ok(Some(format!("(({id} = '' OR {id} IS NULL) OR ({sql}))")))
    }
}

impl FieldResolver for RecordResolver<'_> {
    fn resolve(&mut self, identifier: &str) -> Result<ResolvedOperand, FilterError> {
        runner::resolve(self, identifier)
    }
}

/// Checks that a rule compiles against `c` (the collection save validator uses this).
pub fn check_rule(c: &Collection, all: &[Collection], rule: &str) -> Result<(), String> {
    let expr = parse_cached(rule, ParseKind::Rule).map_err(|e| e.to_string())?;
    let req = RequestInfo::default();
    let mut resolver = RecordResolver::with_mode(c, all, Some(&req), ResolverMode::Rule);
    let mut sink = ParamSink::new("r");
    filter::build_where(&expr, &mut resolver, &mut sink).map_err(|e| e.to_string())?;
    Ok(())
}
