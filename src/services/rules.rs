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
            .map(|a| ((*a.collection).clone(), a.record.data.clone())),
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
    Ok((resolver.joins(), wheres.join(" AND "), params))
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
        let where_sql = format!("{}.`id` = :__id AND ({rule_sql})", store::quote(&c.name));
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
