//! Reading and changing the app settings (`/api/settings`).

use crate::app::{App, AppError};
use crate::model::settings::parse_patch_body;
use crate::store;
use serde_json::Value;

/// `PATCH /api/settings`: merge, validate, store, apply.
pub async fn patch(app: &App, raw: &[u8]) -> Result<Value, AppError> {
    let load_error =
        || AppError::bad_request("An error occurred while loading the submitted data.");
    let body = if raw.iter().all(u8::is_ascii_whitespace) {
        Value::Object(Default::default())
    } else {
        parse_patch_body(raw).map_err(|_| load_error())?
    };
    if !body.is_object() {
        return Err(load_error());
    }
    let current = app.settings();
    let next = current.apply_patch(&body).map_err(|_| load_error())?;
    next.validate().map_err(|data| {
        AppError::validation("An error occurred while saving the new settings.", data)
    })?;
    let stored = app.encode_settings(&next)?;
    app.db()
        .write(move |tx| store::params::set_raw(tx, "settings", &stored))
        .await
        .map_err(AppError::from)?;
    let public = next.to_public();
    let (max_days, min_level) = (next.logs.max_days, next.logs.min_level);
    app.set_settings(next);
    if let Err(e) = store::logs::prune(app.aux_db(), max_days, min_level).await {
        tracing::warn!("pruning logs failed: {e}");
    }
    Ok(public)
}
