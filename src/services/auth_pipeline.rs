//! The shared "auth success" pipeline every sign-in ends with (04-auth §4): authRule, MFA, the
//! new-location alert, then the `{meta?, record, token}` answer.

use super::auth_alert;
use super::auth_mfa;
use super::auth_state::{is_superuser, new_auth_token, Requester};
use super::record_json::{record_json, Visibility};
use super::rules;
use crate::app::events::RecordAuthRequestEvent;
use crate::app::{App, AppError};
use crate::model::record::Record;
use crate::model::Collection;
use serde_json::{Map, Value};
use std::sync::Arc;

/// The client of the request: its real IP (trusted-proxy aware) and `User-Agent`.
#[derive(Debug, Clone, Default)]
pub struct ClientInfo {
    pub ip: String,
    pub user_agent: String,
}

/// How a sign-in happened: the inputs of [`authenticate`] besides the record.
#[derive(Debug, Clone, Copy)]
pub struct SignIn<'a> {
    /// `"password"`, `"oauth2"`, `"otp"`, or `""` for refresh/impersonate (no MFA, no alert).
    pub method: &'a str,
    /// The `mfaId` of the request (`?mfaId=` or body `mfaId`; "" when absent).
    pub mfa_id: &'a str,
    /// Extra data put first in the answer as `meta` (OAuth2), when given.
    pub meta: Option<&'a Value>,
    pub client: &'a ClientInfo,
    /// Who sent the request (its own Authorization), for `authRule` and `@request.auth`.
    pub requester: &'a Requester,
}

/// The `{meta?, record, token}` answer of a successful sign-in.
pub fn auth_response(c: &Collection, record: &Record, token: &str, meta: Option<&Value>) -> Value {
    let vis = Visibility {
        hidden: c.is_superusers(),
        email: true,
    };
    let mut out = Map::new();
    if let Some(meta) = meta {
        out.insert("meta".into(), meta.clone());
    }
    out.insert("record".into(), record_json(c, record, vis));
    out.insert("token".into(), Value::String(token.to_string()));
    Value::Object(out)
}

/// Runs the pipeline for a record whose credentials were just checked. MFA may end it with
/// `AppError::MfaRequired(id)` (401 `{"mfaId"}`); otherwise the answer is the 200 body (`?expand=` and
/// `?fields=` are applied by the caller).
pub async fn authenticate(
    app: &App,
    c: &Arc<Collection>,
    record: Record,
    sign_in: SignIn<'_>,
) -> Result<Value, AppError> {
    let auth = c.auth.as_ref().ok_or_else(AppError::not_found)?;
    let allowed = match &auth.auth_rule {
        None => is_superuser(sign_in.requester),
        Some(rule) if rule.trim().is_empty() => true,
        Some(rule) => rules::record_matches(app, c, rule, record.id(), sign_in.requester).await?,
    };
    if !allowed {
        return Err(AppError::Forbidden(
            "The request doesn't satisfy the collection requirements to authenticate.".into(),
        ));
    }
    if !sign_in.method.is_empty() {
        auth_mfa::check(app, c, &record, sign_in).await?;
        auth_alert::run(app, c, &record, sign_in.client).await;
    }
    let token = new_auth_token(c, &record).map_err(AppError::internal)?;
    respond(
        app,
        c,
        record,
        token,
        sign_in.meta.cloned(),
        sign_in.method,
        sign_in.requester,
    )
    .await
}

/// The auth answer, after `onRecordAuthRequest` (which may change the record, token and meta).
pub async fn respond(
    app: &App,
    c: &Arc<Collection>,
    record: Record,
    token: String,
    meta: Option<Value>,
    method: &str,
    requester: &Requester,
) -> Result<Value, AppError> {
    if app.hooks().on_record_auth_request.is_empty() && !super::record_enrich::active(app) {
        return Ok(auth_response(c, &record, &token, meta.as_ref()));
    }
    let (app2, c2, method, requester) = (
        app.clone(),
        c.clone(),
        method.to_string(),
        requester.clone(),
    );
    tokio::task::spawn_blocking(move || {
        respond_blocking(&app2, &c2, record, token, meta, &method, &requester)
    })
    .await
    .map_err(AppError::internal)?
}

/// [`respond`] for code that may block (JS handlers: `$apis.recordAuthResponse`).
pub fn respond_blocking(
    app: &App,
    c: &Arc<Collection>,
    record: Record,
    token: String,
    meta: Option<Value>,
    method: &str,
    requester: &Requester,
) -> Result<Value, AppError> {
    let info = super::rules::request_info(requester, "POST", "default");
    let (record, token, meta) = if app.hooks().on_record_auth_request.is_empty() {
        (record, token, meta)
    } else {
        let mut ev = RecordAuthRequestEvent {
            app: app.clone(),
            collection: c.clone(),
            record,
            token,
            meta,
            auth_method: method.to_string(),
            request: super::record_write::request_data(requester, &info),
        };
        let mut reached = false;
        app.hooks().on_record_auth_request.trigger(&mut ev, |_| {
            reached = true;
            Ok(())
        })?;
        if !reached {
            return Err(AppError::Stopped);
        }
        (ev.record, ev.token, ev.meta)
    };
    let mut out = auth_response(c, &record, &token, meta.as_ref());
    if super::record_enrich::active(app) {
        if let Some(r) = out.get_mut("record") {
            *r = super::record_enrich::enrich(app, c, &record, r.take(), requester, &info)?;
        }
    }
    Ok(out)
}
