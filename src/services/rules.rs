//! Evaluating API rules and client filters against records.

use super::auth_state::Requester;
use crate::app::{App, AppError};
use crate::filter::{self, ParamSink};
use crate::model::field::value::SqlScalar;
use crate::model::Collection;
use crate::store::records::{ListQuery, Param};
use crate::store::resolver::{RecordResolver, RequestInfo};
use crate::store::{self};
use std::sync::Arc;

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
    use crate::model::field::value::SqlScalar;
    params
        .into_iter()
        .map(|(n, v)| {
            let v = match v {
                filter::SqlValue::Null => SqlScalar::Null,
                filter::SqlValue::Int(i) => SqlScalar::Int(i),
                filter::SqlValue::Float(f) => SqlScalar::Real(f),
                filter::SqlValue::Text(t) => SqlScalar::Text(t),
            };
            (n, v)
        })
        .collect()
}

/// Builds `(joins, where, params)` for a rule or filter over `c`.
pub fn build_condition(
    c: &Collection,
    all: &[Collection],
    expr_text: &str,
    info: &RequestInfo,
    allow_hidden: bool,
    prefix: &str,
) -> Result<(String, String, Vec<Param>), AppError> {
    let limits = if allow_hidden {
        filter::Limits {
            max_len: None,
            ..Default::default()
        }
    } else {
        filter::Limits::default()
    };
    let expr = filter::parse_with(expr_text, &limits)
        .map_err(|_| AppError::bad_request("Invalid filter."))?;
    let mut resolver = RecordResolver::new(c, all, Some(info), allow_hidden);
    let mut sink = ParamSink::new(prefix);
    let sql = filter::build_where(&expr, &mut resolver, &mut sink)
        .map_err(|_| AppError::bad_request("Invalid filter."))?;
    Ok((resolver.joins(), sql, to_store_params(sink.into_params())))
}

/// The condition that matches record `id` only when it satisfies a rule (owned, so it can move into a
/// database closure).
pub struct RuleCondition {
    joins: String,
    where_sql: String,
    params: Vec<Param>,
}

impl RuleCondition {
    pub fn new(
        c: &Collection,
        all: &[Collection],
        rule: &str,
        id: &str,
        info: &RequestInfo,
    ) -> Result<RuleCondition, AppError> {
        let (joins, where_sql, mut params) = build_condition(c, all, rule, info, true, "rule")?;
        params.push((":__id".into(), SqlScalar::Text(id.to_string())));
        Ok(RuleCondition {
            joins,
            where_sql: format!("{}.`id` = :__id AND ({where_sql})", store::quote(&c.name)),
            params,
        })
    }

    /// The one-row query over `c`.
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
}

/// True when the record `id` of `c` satisfies `rule` for this requester.
pub async fn record_matches(
    app: &App,
    c: &Arc<Collection>,
    rule: &str,
    id: &str,
    requester: &Requester,
) -> Result<bool, AppError> {
    let info = request_info(requester, "POST", "default");
    let all: Vec<Collection> = app.collections().iter().map(|c| (**c).clone()).collect();
    let cond = RuleCondition::new(c, &all, rule, id, &info)?;
    let c2 = c.clone();
    let found = app
        .db()
        .read(move |conn| store::records::count(conn, &cond.query(&c2)))
        .await?;
    Ok(found > 0)
}
