//! The records API use-cases: list, view, create, update, delete with API rules.

use super::auth_state::{is_superuser, Requester};
use super::list_params::ListParams;
use super::record_json::{record_json, visibility_for};
use super::record_save;
use super::rules::{build_condition, request_info, RuleCondition};
use crate::app::{App, AppError};
use crate::filter::{self, FieldResolver};
use crate::model::{Collection, Errors, ValidationError};
use crate::store::records::ListQuery;
use crate::store::resolver::RecordResolver;
use crate::store::{self};
use serde_json::{Map, Value};
use std::collections::HashMap;
use std::sync::Arc;

/// The collection named in a records URL, or 404 "Missing collection context.".
pub fn collection(app: &App, id_or_name: &str) -> Result<Arc<Collection>, AppError> {
    app.find_collection(id_or_name)
        .ok_or_else(|| AppError::NotFound("Missing collection context.".into()))
}

fn only_superusers() -> AppError {
    AppError::Forbidden("Only superusers can perform this action.".into())
}

fn all_collections(app: &App) -> Vec<Collection> {
    app.collections().iter().map(|c| (**c).clone()).collect()
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
    if !superuser && q.get("filter").is_some_and(|f| f.contains("@request.")) {
        return Err(AppError::Forbidden(
            "Only superusers can filter by @request.".into(),
        ));
    }
    let p = ListParams::parse(q);
    let all = all_collections(app);
    let info = request_info(requester, "GET", "default");
    let mut wheres = Vec::new();
    let mut joins = String::new();
    let mut params = Vec::new();
    if !p.filter.is_empty() {
        let (j, w, ps) =
            build_condition(&c, &all, &p.filter, &info, superuser, "f").map_err(|_| {
                AppError::bad_request(
                    "Something went wrong while processing your request. Invalid filter.",
                )
            })?;
        joins.push_str(&j);
        wheres.push(format!("({w})"));
        params.extend(ps);
    }
    if !superuser {
        if let Some(rule) = c.list_rule.as_deref().filter(|r| !r.trim().is_empty()) {
            let (j, w, ps) = build_condition(&c, &all, rule, &info, true, "rule")?;
            joins.push(' ');
            joins.push_str(&j);
            wheres.push(format!("({w})"));
            params.extend(ps);
        }
    }
    let sort = filter::parse_sort(&p.sort).map_err(|_| AppError::bad_request(""))?;
    let order_sql = {
        let mut resolver = RecordResolver::new(&c, &all, Some(&info), superuser);
        let order = filter::build_order_by(
            &sort,
            &mut resolver as &mut dyn FieldResolver,
            &format!(
                "{}.{}",
                store::quote(&c.name),
                if c.is_view() { "`id`" } else { "rowid" }
            ),
        )
        .map_err(|_| AppError::bad_request(""))?;
        joins.push(' ');
        joins.push_str(&resolver.joins());
        order
    };
    let c2 = c.clone();
    let skip_total = p.skip_total;
    let (limit, offset) = (p.per_page, (p.page - 1) * p.per_page);
    let (records, total) = app
        .db()
        .read(move |conn| {
            let q = ListQuery {
                collection: &c2,
                joins,
                where_sql: wheres.join(" AND "),
                order_sql,
                params,
                limit,
                offset,
            };
            let records = store::records::list(conn, &q)?;
            let total = if skip_total {
                None
            } else {
                Some(store::records::count(conn, &q)?)
            };
            Ok((records, total))
        })
        .await?;
    let items = records
        .iter()
        .map(|r| record_json(&c, r, visibility_for(&c, r, requester)))
        .collect();
    Ok(p.envelope(items, total))
}

/// `GET /records/{id}`.
pub async fn view(
    app: &App,
    c: Arc<Collection>,
    id: &str,
    requester: &Requester,
) -> Result<Value, AppError> {
    let superuser = is_superuser(requester);
    if !superuser && c.view_rule.is_none() {
        return Err(only_superusers());
    }
    let c2 = c.clone();
    let id2 = id.to_string();
    let rec = app
        .db()
        .read(move |conn| store::records::find_by_id(conn, &c2, &id2))
        .await?
        .ok_or_else(AppError::not_found)?;
    if !superuser {
        if let Some(rule) = c.view_rule.as_deref().filter(|r| !r.trim().is_empty()) {
            if !super::rules::record_matches(app, &c, rule, id, requester).await? {
                return Err(AppError::not_found());
            }
        }
    }
    Ok(record_json(&c, &rec, visibility_for(&c, &rec, requester)))
}

fn check_password_confirm(c: &Collection, body: &Map<String, Value>, errors: &mut Errors) {
    if !c.is_auth() {
        return;
    }
    if let Some(pass) = body
        .get("password")
        .and_then(Value::as_str)
        .filter(|p| !p.is_empty())
    {
        if body.get("passwordConfirm").and_then(Value::as_str) != Some(pass) {
            errors.add(
                "passwordConfirm",
                ValidationError::new("validation_values_mismatch", "Values don't match."),
            );
        }
    }
}

/// `POST /records`.
pub async fn create(
    app: &App,
    c: Arc<Collection>,
    body: Value,
    requester: &Requester,
) -> Result<Value, AppError> {
    if c.is_view() {
        return Err(AppError::bad_request("Unsupported collection type."));
    }
    let superuser = is_superuser(requester);
    if !superuser && c.create_rule.is_none() {
        return Err(only_superusers());
    }
    let Value::Object(body) = body else {
        return Err(AppError::bad_request(
            "Failed to load the submitted data due to invalid formatting.",
        ));
    };
    let mut pre = Errors::new();
    check_password_confirm(&c, &body, &mut pre);
    let rec = record_save::record_from_body(&c, &body, requester);
    let rule = c
        .create_rule
        .clone()
        .filter(|r| !r.trim().is_empty() && !superuser);
    let app2 = app.clone();
    let c2 = c.clone();
    let requester2 = requester.clone();
    let saved = app
        .db()
        .write(move |tx| {
            if !pre.is_empty() {
                // run the field validation too, so every error is reported at once
                let mut errs = match record_save::save(&app2, tx, &c2, rec, None) {
                    Err(AppError::BadRequest { data, .. }) => data,
                    _ => Errors::new(),
                };
                errs.extend(pre);
                return Err(AppError::validation("Failed to create record.", errs));
            }
            let saved = record_save::save(&app2, tx, &c2, rec, None)?;
            if let Some(rule) = rule {
                let all: Vec<Collection> = app2.collections_in(tx)?;
                let info = request_info(&requester2, "POST", "default");
                let q = RuleCondition::new(&c2, &all, &rule, saved.id(), &info)?.query(&c2);
                if tx.with(|conn| store::records::count(conn, &q))? == 0 {
                    return Err(AppError::bad_request("Failed to create record."));
                }
            }
            Ok(saved)
        })
        .await?;
    Ok(record_json(
        &c,
        &saved,
        visibility_for(&c, &saved, requester),
    ))
}

/// `PATCH /records/{id}`.
pub async fn update(
    app: &App,
    c: Arc<Collection>,
    id: &str,
    body: Value,
    requester: &Requester,
) -> Result<Value, AppError> {
    if c.is_view() {
        return Err(AppError::bad_request("Unsupported collection type."));
    }
    let superuser = is_superuser(requester);
    if !superuser && c.update_rule.is_none() {
        return Err(only_superusers());
    }
    let Value::Object(body) = body else {
        return Err(AppError::bad_request(
            "Failed to load the submitted data due to invalid formatting.",
        ));
    };
    if !superuser {
        if let Some(rule) = c.update_rule.as_deref().filter(|r| !r.trim().is_empty()) {
            if !super::rules::record_matches(app, &c, rule, id, requester).await? {
                return Err(AppError::not_found());
            }
        }
    }
    let mut pre = Errors::new();
    check_password_confirm(&c, &body, &mut pre);
    if !pre.is_empty() {
        return Err(AppError::validation("Failed to update record.", pre));
    }
    let app2 = app.clone();
    let c2 = c.clone();
    let id2 = id.to_string();
    let requester2 = requester.clone();
    let saved = app
        .db()
        .write(move |tx| {
            let old = tx
                .with(|conn| store::records::find_by_id(conn, &c2, &id2))?
                .ok_or_else(AppError::not_found)?;
            let mut rec = old.clone();
            record_save::apply_body(&c2, &mut rec, &body, &requester2);
            record_save::save(&app2, tx, &c2, rec, Some(&old))
        })
        .await?;
    Ok(record_json(
        &c,
        &saved,
        visibility_for(&c, &saved, requester),
    ))
}

/// `DELETE /records/{id}`.
pub async fn delete(
    app: &App,
    c: Arc<Collection>,
    id: &str,
    requester: &Requester,
) -> Result<(), AppError> {
    if c.is_view() {
        return Err(AppError::bad_request("Unsupported collection type."));
    }
    let superuser = is_superuser(requester);
    if !superuser && c.delete_rule.is_none() {
        return Err(only_superusers());
    }
    if !superuser {
        if let Some(rule) = c.delete_rule.as_deref().filter(|r| !r.trim().is_empty()) {
            if !super::rules::record_matches(app, &c, rule, id, requester).await? {
                return Err(AppError::not_found());
            }
        }
    }
    let app2 = app.clone();
    let id2 = id.to_string();
    app.db()
        .write(move |tx| {
            let rec = tx
                .with(|conn| store::records::find_by_id(conn, &c, &id2))?
                .ok_or_else(AppError::not_found)?;
            record_save::delete(&app2, tx, &c, rec)
        })
        .await
}
