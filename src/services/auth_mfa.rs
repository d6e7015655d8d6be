//! Multi-factor auth (04-auth §7.3): the first factor leaves an `_mfas` row and answers 401
//! `{"mfaId"}`; a different second factor that presents that id completes the sign-in.

use super::auth_pipeline::SignIn;
use super::record_save;
use super::rules;
use crate::app::{App, AppError};
use crate::model::record::Record;
use crate::model::{datetime, Collection};
use crate::store;
use serde_json::Value;
use std::sync::Arc;

/// The system collection of pending MFA sessions.
pub const MFAS: &str = "_mfas";

/// True when the MFA rule asks for a second factor (an empty rule always does, so does a broken one).
async fn required(app: &App, c: &Arc<Collection>, record: &Record, sign_in: SignIn<'_>) -> bool {
    let Some(auth) = c.auth.as_ref().filter(|a| a.mfa.enabled) else {
        return false;
    };
    let rule = auth.mfa.rule.trim();
    if rule.is_empty() {
        return true;
    }
    rules::record_matches(app, c, rule, record.id(), sign_in.requester)
        .await
        .unwrap_or(true)
}

/// A new system row (`_mfas`, `_otps`, `_authOrigins`) with the given values; the id is generated.
pub fn new_row(c: &Collection, values: &[(&str, Value)]) -> Record {
    let mut rec = record_save::record_from_body(c, &Default::default(), &None);
    for (k, v) in values {
        rec.set(k, v.clone());
    }
    rec
}

/// True when a row's `created` plus `duration_secs` lies in the past.
pub fn expired(row: &Record, duration_secs: i64) -> bool {
    datetime::parse(row.get_str("created"))
        .is_none_or(|t| t + chrono::Duration::seconds(duration_secs) < chrono::Utc::now())
}

/// The MFA step of the pipeline: `Ok` lets the sign-in finish.
pub async fn check(
    app: &App,
    c: &Arc<Collection>,
    record: &Record,
    sign_in: SignIn<'_>,
) -> Result<(), AppError> {
    if !required(app, c, record, sign_in).await {
        return Ok(());
    }
    let duration = c.auth.as_ref().map_or(0, |a| a.mfa.duration);
    let mfas = app
        .find_collection(MFAS)
        .ok_or_else(|| AppError::internal("missing the _mfas collection"))?;
    let (app2, c_id, rec_id, method) = (
        app.clone(),
        c.id.clone(),
        record.id().to_string(),
        sign_in.method.to_string(),
    );
    if sign_in.mfa_id.is_empty() {
        let row = new_row(
            &mfas,
            &[
                ("collectionRef", Value::String(c_id)),
                ("recordRef", Value::String(rec_id)),
                ("method", Value::String(method)),
            ],
        );
        let saved = app
            .db()
            .write(move |tx| record_save::save(&app2, tx, &mfas, row, None))
            .await?;
        return Err(AppError::MfaRequired(saved.id().to_string()));
    }
    let mfa_id = sign_in.mfa_id.to_string();
    // the outer result carries store failures; the inner one the answer (an expired row is deleted
    // even though the sign-in fails, so the transaction must commit)
    let outcome: Result<(), AppError> = app
        .db()
        .write(move |tx| {
            let row = tx.with(|conn| store::records::find_by_id(conn, &mfas, &mfa_id))?;
            let invalid = || AppError::bad_request("Invalid or expired MFA session.");
            let Some(row) = row else {
                return Ok(Err(invalid()));
            };
            if expired(&row, duration) {
                record_save::delete(&app2, tx, &mfas, row)?;
                return Ok(Err(invalid()));
            }
            if row.get_str("collectionRef") != c_id || row.get_str("recordRef") != rec_id {
                return Ok(Err(AppError::bad_request("Invalid MFA session.")));
            }
            if row.get_str("method") == method {
                return Ok(Err(AppError::bad_request(
                    "A different authentication method is required.",
                )));
            }
            record_save::delete(&app2, tx, &mfas, row).map(Ok)
        })
        .await?;
    outcome
}
