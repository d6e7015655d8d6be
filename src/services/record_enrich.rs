//! `onRecordEnrich`: every record an API answer serialises passes through the hook, which may change
//! values, hide or unhide fields and add custom data. With no handler bound it costs one check.

use super::auth_state::{is_superuser, Requester};
use super::record_write::request_data;
use crate::app::events::RecordEnrichEvent;
use crate::app::{App, AppError};
use crate::model::record::Record;
use crate::model::Collection;
use crate::store::resolver::RequestInfo;
use serde_json::Value;
use std::sync::Arc;

/// True when a handler is bound (callers skip building request data otherwise).
pub fn active(app: &App) -> bool {
    !app.hooks().on_record_enrich.is_empty()
}

/// The API JSON of `rec` as `requester` sees it (`vis`), enriched: without enrich hooks the record's
/// values move into the JSON instead of being copied.
pub fn json_of(
    app: &App,
    c: &Arc<Collection>,
    rec: Record,
    vis: super::record_json::Visibility,
    requester: &Requester,
    info: &RequestInfo,
) -> Result<Value, AppError> {
    if !active(app) {
        return Ok(super::record_json::record_json_owned(c, rec, vis));
    }
    let json = super::record_json::record_json(c, &rec, vis);
    enrich(app, c, &rec, json, requester, info)
}

/// Runs the enrich hook for `rec`, whose API JSON is `json`, as seen by `requester` with `info`.
pub fn enrich(
    app: &App,
    c: &Arc<Collection>,
    rec: &Record,
    json: Value,
    requester: &Requester,
    info: &RequestInfo,
) -> Result<Value, AppError> {
    if !active(app) {
        return Ok(json);
    }
    let mut ev = RecordEnrichEvent {
        app: app.clone(),
        collection: c.clone(),
        record: rec.clone(),
        json,
        show_hidden: is_superuser(requester),
        hidden: Vec::new(),
        custom: false,
        request: request_data(requester, info),
    };
    super::hook_run::blocking(|| app.hooks().on_record_enrich.trigger(&mut ev, |_| Ok(())))?;
    Ok(ev.json)
}

/// [`enrich`] for code that cannot fail the answer (expand, realtime): a failing handler is logged and
/// the record goes out as it was.
pub fn enrich_or_keep(
    app: &App,
    c: &Arc<Collection>,
    rec: &Record,
    json: Value,
    requester: &Requester,
    info: &RequestInfo,
) -> Value {
    if !active(app) {
        return json;
    }
    let fallback = json.clone();
    enrich(app, c, rec, json, requester, info).unwrap_or_else(|e| {
        tracing::warn!("onRecordEnrich of {} failed: {e:?}", c.name);
        fallback
    })
}
