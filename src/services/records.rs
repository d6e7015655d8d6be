//! The records API use-cases: list, view, create, update, delete with API rules.

use super::auth_state::{is_superuser, Requester};
use super::hook_run;
use super::list_params::ListParams;
use super::manage_rule::managed_ids;
use super::record_enrich;
use super::record_json::{visibility_for, Visibility};
use super::record_write::request_data;
use super::rules;
use crate::app::events::{RecordRequestEvent, RecordsListRequestEvent};
use crate::app::{App, AppError};
use crate::model::record::Record;
use crate::model::Collection;
use crate::store::resolver::RequestInfo;
use crate::store::{self, rule_query};
use serde_json::Value;
use std::collections::{HashMap, HashSet};
use std::sync::Arc;

/// The collection named in a records URL, or 404 "Missing collection context.".
pub fn collection(app: &App, id_or_name: &str) -> Result<Arc<Collection>, AppError> {
    app.find_collection(id_or_name)
        .ok_or_else(|| AppError::NotFound("Missing collection context.".into()))
}

fn only_superusers() -> AppError {
    AppError::Forbidden("Only superusers can perform this action.".into())
}

fn all_collections(app: &App) -> Arc<Vec<Arc<Collection>>> {
    app.collections()
}

/// `GET /records`.
pub async fn list(
    app: &App,
    c: Arc<Collection>,
    q: &HashMap<String, String>,
    requester: &Requester,
) -> Result<Value, AppError> {
    let superuser = is_superuser(requester);
    if !superuser && c.list_rule.is_none() {
        return Err(only_superusers());
    }
    if !superuser {
        rules::check_superuser_only_fields(q)?;
    }
    rules::check_list_params(q)?;
    let p = ListParams::parse(q);
    let all = all_collections(app);
    let info = rules::list_request_info(requester, q);
    let mut page = rules::list_statement(&c, &all, &p.filter, &p.sort, &info, requester)?;
    page.limit = p.per_page;
    page.offset = (p.page - 1).saturating_mul(p.per_page);
    let c2 = c.clone();
    let skip_total = p.skip_total;
    let (records, total) = app
        .db()
        .read(move |conn| {
            let records = rule_query::list_page(conn, &c2, &page)?;
            let total = if skip_total {
                None
            } else {
                Some(rule_query::count_matches(conn, &c2, &page)?)
            };
            Ok((records, total))
        })
        .await
        .map_err(|e| {
            tracing::debug!("list query of {} failed: {e}", c.name);
            AppError::bad_request(rules::INVALID_QUERY)
        })?;
    let ids: Vec<String> = records.iter().map(|r| r.id().to_string()).collect();
    let managed = managed_ids(app, &c, &ids, requester).await?;
    let items = records
        .into_iter()
        .map(|r| {
            let vis = visibility_with(&c, &r, requester, &managed);
            record_enrich::json_of(app, &c, r, vis, requester, &info)
        })
        .collect::<Result<_, _>>()?;
    let result = p.envelope(items, total);
    if app.hooks().on_records_list_request.is_empty() {
        return Ok(result);
    }
    let ev = RecordsListRequestEvent {
        app: app.clone(),
        collection: c.clone(),
        result,
        request: request_data(requester, &info),
    };
    let ev = hook_run::trigger_detached(app, |h| &h.on_records_list_request, ev)
        .await?
        .ok_or(AppError::Stopped)?;
    Ok(ev.result)
}

/// `GET /records/{id}`: the record is read together with the view rule (one query), so a rule mismatch
/// and a missing id both answer 404.
pub async fn view(
    app: &App,
    c: Arc<Collection>,
    id: &str,
    requester: &Requester,
    info: RequestInfo,
) -> Result<Value, AppError> {
    let (rec, vis, info) = view_record(app, &c, id, requester, info).await?;
    record_enrich::json_of(app, &c, rec, vis, requester, &info)
}

/// [`view`] up to the JSON: the record (after the view request hooks), what the requester may see of
/// it, and the request info with its context set.
pub async fn view_record(
    app: &App,
    c: &Arc<Collection>,
    id: &str,
    requester: &Requester,
    mut info: RequestInfo,
) -> Result<(Record, Visibility, RequestInfo), AppError> {
    let superuser = is_superuser(requester);
    if !superuser && c.view_rule.is_none() {
        return Err(only_superusers());
    }
    if info.context.is_empty() {
        info.context = "default".into();
    }
    let rule = c
        .view_rule
        .as_deref()
        .filter(|r| !r.trim().is_empty() && !superuser);
    let cond = match rule {
        Some(rule) => Some(rules::RuleCondition::new(
            c,
            &all_collections(app),
            rule,
            id,
            &info,
        )?),
        None => None,
    };
    let rec = app
        .db()
        .read_now(|conn| match cond {
            Some(cond) => Ok(store::records::list(conn, &cond.query(c))?
                .into_iter()
                .next()),
            None => store::records::find_by_id(conn, c, id),
        })?
        .ok_or_else(AppError::not_found)?;
    let managed = managed_ids(app, c, &[rec.id().to_string()], requester).await?;
    let rec = if app.hooks().on_record_view_request.is_empty() {
        rec
    } else {
        let ev = RecordRequestEvent {
            app: app.clone(),
            collection: c.clone(),
            record: rec.clone(),
            original: Some(rec),
            request: request_data(requester, &info),
        };
        hook_run::trigger_detached(app, |h| &h.on_record_view_request, ev)
            .await?
            .ok_or(AppError::Stopped)?
            .record
    };
    let vis = visibility_with(c, &rec, requester, &managed);
    Ok((rec, vis, info))
}

/// `visibility_for`, plus the email of records the requester manages.
fn visibility_with(
    c: &Collection,
    rec: &Record,
    requester: &Requester,
    managed: &HashSet<String>,
) -> Visibility {
    let mut vis = visibility_for(c, rec, requester);
    if managed.contains(rec.id()) {
        vis.email = true;
    }
    vis
}

/// A filter and sort over `c` with superuser rights (`$app.findRecordsByFilter` and friends).
pub fn filter_statement(
    c: &Collection,
    all: &Arc<Vec<Arc<Collection>>>,
    filter: &str,
    sort: &str,
) -> Result<rule_query::PageQuery, AppError> {
    let info = RequestInfo::default();
    rules::list_statement_as(c, all, filter, sort, &info, true)
}

/// Runs a [`filter_statement`] with an extra built condition; `limit` 0 means no limit. Returns the
/// records, or only their count when `count_only`.
pub fn run_filter_statement(
    conn: &store::Connection,
    c: &Collection,
    mut page: rule_query::PageQuery,
    extra: Option<&store::dbx::Built>,
    limit: i64,
    offset: i64,
    count_only: bool,
) -> Result<(Vec<Record>, i64), store::StoreError> {
    if let Some(b) = extra.filter(|b| !b.sql.is_empty()) {
        page.where_sql = if page.where_sql.is_empty() {
            format!("({})", b.sql)
        } else {
            format!("{} AND ({})", page.where_sql, b.sql)
        };
        for (name, v) in &b.params {
            page.params.push((format!(":p_{name}"), json_scalar(v)));
        }
    }
    if count_only {
        return Ok((Vec::new(), rule_query::count_matches(conn, c, &page)?));
    }
    page.limit = if limit > 0 { limit } else { i64::MAX };
    page.offset = offset.max(0);
    Ok((rule_query::list_page(conn, c, &page)?, 0))
}

fn json_scalar(v: &Value) -> crate::model::field::value::SqlScalar {
    use crate::model::field::value::SqlScalar;
    match v {
        Value::Null => SqlScalar::Null,
        Value::Bool(b) => SqlScalar::Int(*b as i64),
        Value::Number(n) => match n.as_i64() {
            Some(i) => SqlScalar::Int(i),
            None => SqlScalar::Real(n.as_f64().unwrap_or(0.0)),
        },
        Value::String(s) => SqlScalar::Text(s.clone()),
        other => SqlScalar::Text(other.to_string()),
    }
}
