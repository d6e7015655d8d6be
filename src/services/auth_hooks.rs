//! The auth-record request hooks other than sign-in by password (spec 08 §6.3): `onRecordAuthRefresh…`,
//! `…RequestVerification…`, `…ConfirmVerification…`, `…RequestPasswordReset…`,
//! `…ConfirmPasswordReset…`, `…RequestEmailChange…`, `…ConfirmEmailChange…`, `…RequestOTP…` and
//! `onRecordAuthWithOTPRequest`. Each fires once the request is checked and its record found, before
//! the action; the action then goes on with the record (and values) the handlers leave. A handler that
//! does not call `e.next()` ends the request with an empty 200.

use super::auth_state::Requester;
use crate::app::events::RecordAuthActionRequestEvent;
use crate::app::hooks::Hooks;
use crate::app::{App, AppError};
use crate::hook::Hook;
use crate::model::record::Record;
use crate::model::Collection;
use serde_json::{Map, Value};
use std::sync::Arc;

/// Which hook of the table.
pub type Pick = fn(&Hooks) -> &Hook<RecordAuthActionRequestEvent, AppError>;

/// Fires the hook `pick` selects; the event comes back with what the handlers changed. Costs nothing
/// when no handler is bound.
pub async fn fire(
    app: &App,
    pick: Pick,
    c: &Arc<Collection>,
    record: Option<Record>,
    extra: Map<String, Value>,
    requester: &Requester,
) -> Result<RecordAuthActionRequestEvent, AppError> {
    let mut ev = RecordAuthActionRequestEvent {
        app: app.clone(),
        collection: c.clone(),
        record,
        extra,
        request: Default::default(),
    };
    if pick(app.hooks()).is_empty() {
        return Ok(ev);
    }
    let info = super::rules::request_info(requester, "POST", "default");
    ev.request = super::record_write::request_data(requester, &info);
    super::hook_run::trigger_detached(app, pick, ev)
        .await?
        .ok_or(AppError::Stopped)
}

/// [`fire`] for a hook whose record cannot go away: a handler that sets `e.record = null` keeps the
/// one the request found.
pub async fn fire_for(
    app: &App,
    pick: Pick,
    c: &Arc<Collection>,
    record: Record,
    requester: &Requester,
) -> Result<Record, AppError> {
    if pick(app.hooks()).is_empty() {
        return Ok(record);
    }
    let ev = fire(app, pick, c, Some(record.clone()), Map::new(), requester).await?;
    Ok(ev.record.unwrap_or(record))
}
