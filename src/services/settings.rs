//! Reading and changing the app settings (`/api/settings`).

use crate::app::{App, AppError};
use crate::store;
use serde_json::Value;

/// `PATCH /api/settings`: merge, validate, store, apply.
pub async fn patch(app: &App, body: Value) -> Result<Value, AppError> {
    if !body.is_object() {
        return Err(AppError::bad_request("Failed to load the submitted data due to invalid formatting."));
    }
    let current = app.settings();
    let next = current
        .apply_patch(&body)
        .map_err(|_| AppError::bad_request("Failed to load the submitted data due to invalid formatting."))?;
    next.validate()
        .map_err(|data| AppError::validation("An error occurred while saving the new settings.", data))?;
    let stored = next.to_stored();
    app.db()
        .write(move |tx| store::params::set(tx, "settings", &stored))
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
