//! Which auth records a requester manages (the collection's `manageRule`), for email visibility.

use super::auth_state::{is_superuser, Requester};
use super::rules::{build_condition, request_info};
use crate::app::{App, AppError};
use crate::model::field::value::SqlScalar;
use crate::model::Collection;
use crate::store::records::ListQuery;
use crate::store::{self};
use std::collections::HashSet;
use std::sync::Arc;

/// The ids among `ids` whose records `requester` manages. Empty for guests and collections without a
/// `manageRule`; superusers manage everything (the caller usually checks that first).
pub async fn managed_ids(
    app: &App,
    c: &Arc<Collection>,
    ids: &[String],
    requester: &Requester,
) -> Result<HashSet<String>, AppError> {
    if is_superuser(requester) {
        return Ok(ids.iter().cloned().collect());
    }
    let rule = match c.auth.as_ref().and_then(|a| a.manage_rule.clone()) {
        Some(r) if requester.is_some() && !r.trim().is_empty() && !ids.is_empty() => r,
        _ => return Ok(HashSet::new()),
    };
    let all = app.collections();
    let info = request_info(requester, "GET", "default");
    let (joins, where_sql, mut params) = build_condition(c, &all, &rule, &info, true, "mr")?;
    let mut marks = Vec::with_capacity(ids.len());
    for (i, id) in ids.iter().enumerate() {
        let name = format!(":__mid{i}");
        marks.push(name.clone());
        params.push((name, SqlScalar::Text(id.clone())));
    }
    let c2 = c.clone();
    let records = app
        .db()
        .read(move |conn| {
            let q = ListQuery {
                collection: &c2,
                joins,
                where_sql: format!(
                    "{}.`id` IN ({}) AND ({where_sql})",
                    store::quote(&c2.name),
                    marks.join(", ")
                ),
                order_sql: String::new(),
                params,
                limit: i64::MAX,
                offset: 0,
            };
            store::records::list(conn, &q)
        })
        .await?;
    Ok(records.iter().map(|r| r.id().to_string()).collect())
}
