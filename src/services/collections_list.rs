//! Listing collections with PocketBase's list parameters (only id, created, updated, name, system, type).

use super::list_params::ListParams;
use crate::app::events::{CollectionRequestEvent, CollectionsListRequestEvent, RequestData};
use crate::app::{App, AppError};
use crate::filter::{self, FieldResolver, FilterError, ParamSink, ResolvedOperand};
use crate::model::Collection;
use crate::store;
use serde_json::Value;
use std::collections::HashMap;
use std::sync::Arc;

struct CollectionsResolver;

impl FieldResolver for CollectionsResolver {
    fn resolve(&mut self, identifier: &str) -> Result<ResolvedOperand, FilterError> {
        match identifier {
            "id" | "created" | "updated" | "name" | "system" | "type" => {
                Ok(ResolvedOperand::sql(format!("`{identifier}`")))
            }
            _ => Err(FilterError::Resolve(format!(
                "unknown field \"{identifier}\""
            ))),
        }
    }
}

/// `GET /api/collections`.
pub async fn list(
    app: &App,
    query: &HashMap<String, String>,
    request: RequestData,
) -> Result<Value, AppError> {
    let p = ListParams::parse(query);
    let bad = || AppError::bad_request("");
    let expr = filter::parse(&p.filter).map_err(|_| bad())?;
    let mut sink = ParamSink::new("f");
    let where_sql =
        filter::build_where(&expr, &mut CollectionsResolver, &mut sink).map_err(|_| bad())?;
    let sort = filter::parse_sort(&p.sort).map_err(|_| bad())?;
    let order_sql =
        filter::build_order_by(&sort, &mut CollectionsResolver, "rowid").map_err(|_| bad())?;
    let params = super::rules::to_store_params(sink.into_params());
    let (limit, offset, skip_total) = (p.per_page, (p.page - 1) * p.per_page, p.skip_total);
    let (ids, total) = app
        .db()
        .read(move |conn| {
            store::collections::list_ids(
                conn,
                &where_sql,
                &order_sql,
                &params,
                limit,
                offset,
                !skip_total,
            )
        })
        .await?;
    let collections: Vec<Arc<Collection>> = ids
        .iter()
        .filter_map(|id| app.find_collection(id))
        .collect();
    let items: Vec<Value> = collections.iter().map(|c| c.to_api_json()).collect();
    let result = p.envelope(items, total);
    if app.hooks().on_collections_list_request.is_empty() {
        return Ok(result);
    }
    let ev = CollectionsListRequestEvent {
        app: app.clone(),
        collections,
        result,
        request,
    };
    let ev = super::hook_run::trigger_detached(app, |h| &h.on_collections_list_request, ev)
        .await?
        .ok_or(AppError::Stopped)?;
    Ok(ev.result)
}

/// `GET /api/collections/{id}`: the collection after `onCollectionViewRequest` (which may change it).
pub async fn view(app: &App, c: &Collection, request: RequestData) -> Result<Collection, AppError> {
    if app.hooks().on_collection_view_request.is_empty() {
        return Ok(c.clone());
    }
    let ev = CollectionRequestEvent {
        app: app.clone(),
        collection: c.clone(),
        request,
    };
    let ev = super::hook_run::trigger_detached(app, |h| &h.on_collection_view_request, ev)
        .await?
        .ok_or(AppError::Stopped)?;
    Ok(ev.collection)
}
