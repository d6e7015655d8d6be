//! Evaluating API rules and client filters against records (spec 03 §7–§8): request data for
//! `@request.*`, cached parsing, rule conditions for one record, the create rule's CTE check and the
//! list statement (list rule + filter + sort with the §7 restrictions).

use super::auth_state::{is_superuser, Requester};
use crate::app::{App, AppError};
use crate::filter::{self, Expr, ParamSink};
use crate::model::record::Record;
use crate::model::Collection;
use crate::store::records::{ListQuery, Param};
use crate::store::resolver::{parse_cached, CollectionSet, ParseKind, RecordResolver};
use crate::store::rule_query::{self, PageQuery};
use crate::store::{self, Connection, StoreError};
use serde_json::Value;
use std::collections::HashMap;
use std::sync::Arc;

pub use crate::store::resolver::{header_key, RequestInfo, ResolverMode};

/// PocketBase's message for any invalid filter, sort or list parameter.
pub const INVALID_QUERY: &str = "Something went wrong while processing your request.";

fn invalid_query() -> AppError {
    AppError::bad_request(INVALID_QUERY)
}

/// Request data for `@request.*` from the requester alone (no body, query or headers).
pub fn request_info(requester: &Requester, method: &str, context: &str) -> RequestInfo {
    RequestInfo {
        method: method.to_string(),
        context: context.to_string(),
        auth: requester
            .as_ref()
            .map(|a| (a.collection.clone(), a.record.data.clone())),
        ..Default::default()
    }
}

/// Converts the filter module's parameters to the store's.
pub fn to_store_params(params: Vec<(String, filter::SqlValue)>) -> Vec<Param> {
    rule_query::to_params(params)
}

/// Parses a client filter (default limits) or a rule (no length limit), through the parse cache.
pub fn parse(text: &str, kind: ParseKind) -> Result<Arc<Expr>, AppError> {
    parse_cached(text, kind).map_err(|_| invalid_query())
}

/// Builds `(joins, where, params)` for a rule or filter over `c` in the given mode (a `bool` means
/// "hidden fields allowed", i.e. `true` = [`ResolverMode::Rule`]); the §7 conditions of a client
/// filter are already ANDed into `where`.
pub fn build_condition<'a>(
    c: &'a Collection,
    all: impl Into<CollectionSet<'a>>,
    expr_text: &str,
    info: &'a RequestInfo,
    mode: impl Into<ResolverMode>,
    prefix: &str,
) -> Result<(String, String, Vec<Param>), AppError> {
    let mode = mode.into();
    let all = all.into();
    // a rule or filter that reads no request data builds the same SQL for every request: reuse it
    // while the collection set is the same one
    let cacheable = !expr_text.contains('@');
    if cacheable {
        if let Some(hit) = built_cache::get(c, &all, expr_text, mode, prefix) {
            return Ok(hit);
        }
    }
    let kind = match mode {
        ResolverMode::Rule => ParseKind::Rule,
        ResolverMode::ClientFilter => ParseKind::Filter,
    };
    let expr = parse(expr_text, kind)?;
    let mut resolver = RecordResolver::with_mode(c, all, Some(info), mode)
        .with_param_prefix(&format!("__{prefix}_r"));
    let mut sink = ParamSink::new(prefix);
    let sql = filter::build_where(&expr, &mut resolver, &mut sink).map_err(|_| invalid_query())?;
    let mut wheres = vec![sql];
    wheres.extend(resolver.conditions());
    let mut params = to_store_params(resolver.params().to_vec());
    params.extend(to_store_params(sink.into_params()));
    let built = (resolver.joins(), wheres.join(" AND "), params);
    if cacheable {
        built_cache::put(c, &all, expr_text, mode, prefix, &built);
    }
    Ok(built)
}

/// Conditions built from request-independent rules and filters, per (collection, text, mode, prefix).
/// An entry is only used with the very same collection set it was built from: it holds weak pointers
/// to every collection of that set (which also keeps their allocations from being reused), so any
/// saved or deleted collection makes it stale. Sets of owned collections (inside a transaction that
/// changes collections) are never cached.
mod built_cache {
    use super::{Collection, CollectionSet, Param, ResolverMode};
    use parking_lot::Mutex;
    use std::collections::HashMap;
    use std::sync::{Arc, OnceLock, Weak};

    type Key = (String, String, ResolverMode, String);
    type Built = (String, String, Vec<Param>);

    struct Entry {
        set: Vec<Weak<Collection>>,
        built: Built,
    }

    /// Entries kept at most; the map is cleared when full (rules are few, filters vary).
    const CAPACITY: usize = 512;

    fn map() -> &'static Mutex<HashMap<Key, Entry>> {
        static MAP: OnceLock<Mutex<HashMap<Key, Entry>>> = OnceLock::new();
        MAP.get_or_init(Default::default)
    }

    fn key(c: &Collection, text: &str, mode: ResolverMode, prefix: &str) -> Key {
        (c.id.clone(), text.to_string(), mode, prefix.to_string())
    }

    /// The shared set when `c` is one of its members.
    fn shared<'a>(c: &Collection, all: &CollectionSet<'a>) -> Option<&'a [Arc<Collection>]> {
        match *all {
            CollectionSet::Shared(set) if set.iter().any(|x| std::ptr::eq(&**x, c)) => Some(set),
            _ => None,
        }
    }

    pub(super) fn get(
        c: &Collection,
        all: &CollectionSet<'_>,
        text: &str,
        mode: ResolverMode,
        prefix: &str,
    ) -> Option<Built> {
        let set = shared(c, all)?;
        let map = map().lock();
        let e = map.get(&key(c, text, mode, prefix))?;
        let same = e.set.len() == set.len()
            && e.set
                .iter()
                .zip(set)
                .all(|(w, a)| w.as_ptr() == Arc::as_ptr(a));
        same.then(|| e.built.clone())
    }

    pub(super) fn put(
        c: &Collection,
        all: &CollectionSet<'_>,
        text: &str,
        mode: ResolverMode,
        prefix: &str,
        built: &Built,
    ) {
        let Some(set) = shared(c, all) else { return };
        let mut map = map().lock();
        if map.len() >= CAPACITY {
            map.clear();
        }
        map.insert(
            key(c, text, mode, prefix),
            Entry {
                set: set.iter().map(Arc::downgrade).collect(),
                built: built.clone(),
            },
        );
    }
}

/// The condition that matches record `id` only when it satisfies a rule (owned, so it can move into a
/// database closure).
pub struct RuleCondition {
    joins: String,
    where_sql: String,
    rule_sql: String,
    params: Vec<Param>,
    id: String,
}

impl RuleCondition {
    pub fn new<'a>(
        c: &'a Collection,
        all: impl Into<CollectionSet<'a>>,
        rule: &str,
        id: &str,
        info: &'a RequestInfo,
    ) -> Result<RuleCondition, AppError> {
        Self::with_mode(c, all, rule, id, info, ResolverMode::Rule)
    }

    /// Like [`RuleCondition::new`] for an expression of the given origin (a client filter is held to the
    /// spec 03 §7 restrictions).
    pub fn with_mode<'a>(
        c: &'a Collection,
        all: impl Into<CollectionSet<'a>>,
        rule: &str,
        id: &str,
        info: &'a RequestInfo,
        mode: ResolverMode,
    ) -> Result<RuleCondition, AppError> {
        let (joins, rule_sql, mut params) = build_condition(c, all, rule, info, mode, "rule")?;
        let mut where_sql = String::with_capacity(c.name.len() + rule_sql.len() + 24);
        store::push_ident(&mut where_sql, &c.name);
        where_sql.push_str(".`id` = :__id AND (");
        where_sql.push_str(&rule_sql);
        where_sql.push(')');
        params.push((
            ":__id".into(),
            crate::model::field::value::SqlScalar::Text(id.to_string()),
        ));
        Ok(RuleCondition {
            joins,
            where_sql,
            rule_sql,
            params,
            id: id.to_string(),
        })
    }

    /// The one-row query over `c` (for `store::records::count`/`list`).
    pub fn query(self, c: &Collection) -> ListQuery<'_> {
        ListQuery {
            collection: c,
            joins: self.joins,
            where_sql: self.where_sql,
            order_sql: String::new(),
            params: self.params,
            limit: 1,
            offset: 0,
        }
    }

    /// True when the record exists and satisfies the rule.
    pub fn exists(&self, conn: &Connection, c: &Collection) -> Result<bool, StoreError> {
        rule_query::record_exists_where(
            conn,
            c,
            &self.id,
            &self.joins,
            &self.rule_sql,
            &self.params,
        )
    }
}

/// True when the record `id` of `c` satisfies `rule` for this requester (method `POST`, context
/// `default`; use [`record_matches_with`] to pass the real request data).
pub async fn record_matches(
    app: &App,
    c: &Arc<Collection>,
    rule: &str,
    id: &str,
    requester: &Requester,
) -> Result<bool, AppError> {
    let info = request_info(requester, "POST", "default");
    record_matches_with(app, c, rule, id, &info).await
}

/// True when the record `id` of `c` satisfies `rule` with the given request data.
pub async fn record_matches_with(
    app: &App,
    c: &Arc<Collection>,
    rule: &str,
    id: &str,
    info: &RequestInfo,
) -> Result<bool, AppError> {
    let all = app.collections();
    let cond = RuleCondition::new(c, &all, rule, id, info)?;
    Ok(app.db().read_now(|conn| cond.exists(conn, c))?)
}

/// The create rule check (spec 03 §8) as `(sql, params)`: the submitted record (id filled in or a temp
/// id, `verified` false) becomes a one-row CTE; run it with [`create_rule_passes`] (inside the write
/// transaction: `tx.with(|conn| create_rule_passes(conn, &sql, &params))`). Failure answers
/// `400 "Failed to create record."`.
pub fn create_rule_condition<'a>(
    c: &'a Collection,
    all: impl Into<CollectionSet<'a>>,
    rule: &str,
    new_record_values: &Record,
    info: &'a RequestInfo,
) -> Result<(String, Vec<Param>), AppError> {
    let expr = parse(rule, ParseKind::Rule)?;
    rule_query::create_rule_statement(c, all, &expr, new_record_values, info)
        .map_err(|_| invalid_query())
}

/// Runs a statement from [`create_rule_condition`]: true when the rule is satisfied.
pub fn create_rule_passes(
    conn: &Connection,
    sql: &str,
    params: &[Param],
) -> Result<bool, StoreError> {
    rule_query::exists_query(conn, sql, params)
}

/// Checks `page`, `perPage` and `skipTotal` the way PocketBase parses them (Go `Atoi`/`ParseBool`);
/// anything else answers 400.
pub fn check_list_params(q: &HashMap<String, String>) -> Result<(), AppError> {
    for key in ["page", "perPage"] {
        if let Some(v) = q.get(key).filter(|v| !v.is_empty()) {
            v.parse::<i64>().map_err(|_| invalid_query())?;
        }
    }
    if let Some(v) = q.get("skipTotal").filter(|v| !v.is_empty()) {
        let ok = matches!(
            v.as_str(),
            "1" | "t"
                | "T"
                | "TRUE"
                | "true"
                | "True"
                | "0"
                | "f"
                | "F"
                | "FALSE"
                | "false"
                | "False"
        );
        if !ok {
            return Err(invalid_query());
        }
    }
    Ok(())
}

/// Non-superusers may not name `@collection.`/`@request.` in `filter` or `sort` (a plain substring
/// check, `@collection.` first): 403.
pub fn check_superuser_only_fields(q: &HashMap<String, String>) -> Result<(), AppError> {
    for prefix in ["@collection.", "@request."] {
        for key in ["filter", "sort"] {
            if q.get(key).is_some_and(|v| v.contains(prefix)) {
                return Err(AppError::Forbidden(format!(
                    "Only superusers can filter by {prefix}"
                )));
            }
        }
    }
    Ok(())
}

/// Request data of a list request: `GET`, the query params and the requester.
pub fn list_request_info(requester: &Requester, q: &HashMap<String, String>) -> RequestInfo {
    let mut info = request_info(requester, "GET", "default");
    for (k, v) in q {
        info.query.insert(k.clone(), Value::String(v.clone()));
    }
    info
}

/// The page query of a list request: the list rule (non-superusers, rule mode), the filter and the
/// sort (client-filter mode for non-superusers) over one shared resolver, plus the §7 conditions.
pub fn list_statement<'a>(
    c: &'a Collection,
    all: impl Into<CollectionSet<'a>>,
    filter_text: &str,
    sort_text: &str,
    info: &'a RequestInfo,
    requester: &Requester,
) -> Result<PageQuery, AppError> {
    list_statement_as(
        c,
        all,
        filter_text,
        sort_text,
        info,
        is_superuser(requester),
    )
}

/// [`list_statement`] for a superuser (`true`: no list rule, no client-filter restrictions) or a guest.
pub fn list_statement_as<'a>(
    c: &'a Collection,
    all: impl Into<CollectionSet<'a>>,
    filter_text: &str,
    sort_text: &str,
    info: &'a RequestInfo,
    superuser: bool,
) -> Result<PageQuery, AppError> {
    let mut resolver = RecordResolver::with_mode(c, all, Some(info), ResolverMode::Rule);
    let mut sink = ParamSink::new("f");
    let mut wheres = Vec::new();
    if !superuser {
        if let Some(rule) = c.list_rule.as_deref().filter(|r| !r.trim().is_empty()) {
            let expr = parse(rule, ParseKind::Rule)?;
            let sql = filter::build_where(&expr, &mut resolver, &mut sink)
                .map_err(|_| invalid_query())?;
            wheres.push(sql);
        }
        resolver.set_mode(ResolverMode::ClientFilter);
    }
    if !filter_text.is_empty() {
        let expr = parse(filter_text, ParseKind::Filter)?;
        let sql =
            filter::build_where(&expr, &mut resolver, &mut sink).map_err(|_| invalid_query())?;
        wheres.push(sql);
    }
    let sort = filter::parse_sort(sort_text).map_err(|_| invalid_query())?;
    let rowid = format!("{}.`_rowid_`", store::quote(&c.name));
    let order_sql =
        filter::build_order_by(&sort, &mut resolver, &rowid).map_err(|_| invalid_query())?;
    wheres.extend(resolver.conditions());
    let mut params = to_store_params(resolver.params().to_vec());
    params.extend(to_store_params(sink.into_params()));
    Ok(PageQuery {
        joins: resolver.joins(),
        where_sql: wheres
            .iter()
            .map(|w| format!("({w})"))
            .collect::<Vec<_>>()
            .join(" AND "),
        order_sql,
        params,
        limit: 0,
        offset: 0,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{CollectionType, Field};

    fn posts(field_name: &str) -> Arc<Collection> {
        let mut c = Collection::new(CollectionType::Base, "posts");
        c.id = "pbc_rules_cache".into();
        let f: Field =
            serde_json::from_value(serde_json::json!({"name": field_name, "type": "bool"}))
                .expect("field");
        c.fields.push(f);
        Arc::new(c)
    }

    #[test]
    fn request_independent_conditions_are_reused_only_with_the_same_collection_set() {
        let info = RequestInfo::default();
        let set = Arc::new(vec![posts("published")]);
        let first = build_condition(&set[0], &set, "published = true", &info, true, "t").unwrap();
        let again = build_condition(&set[0], &set, "published = true", &info, true, "t").unwrap();
        assert_eq!(first, again);
        assert!(first.1.contains("`published`"), "{}", first.1);

        // the field is renamed: a new set, so the cached SQL must not be used
        let renamed = Arc::new(vec![posts("visible")]);
        assert!(
            build_condition(&renamed[0], &renamed, "published = true", &info, true, "t").is_err()
        );
        let visible = build_condition(&renamed[0], &renamed, "visible = true", &info, true, "t");
        assert!(visible.unwrap().1.contains("`visible`"));

        // a collection that is not a member of the set (a transaction's copy) is built every time
        let loose = posts("published");
        let built = build_condition(&loose, &set, "published = true", &info, true, "t").unwrap();
        assert_eq!(built, first);
    }

    #[test]
    fn conditions_reading_request_data_are_built_per_request() {
        let set = Arc::new(vec![posts("published")]);
        let a = RequestInfo {
            method: "GET".into(),
            ..Default::default()
        };
        let b = RequestInfo {
            method: "POST".into(),
            ..Default::default()
        };
        let rule = "@request.method = 'GET'";
        let (_, sql_a, params_a) = build_condition(&set[0], &set, rule, &a, true, "t").unwrap();
        let (_, sql_b, params_b) = build_condition(&set[0], &set, rule, &b, true, "t").unwrap();
        assert_eq!(sql_a, sql_b);
        assert_ne!(params_a, params_b);
    }
}
