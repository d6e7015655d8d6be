//! Reading and changing the app settings (`/api/settings`).

use crate::app::events::{
    RequestData, SettingsListRequestEvent, SettingsReloadEvent, SettingsUpdateRequestEvent,
};
use crate::app::{App, AppError};
use crate::files;
use crate::model::settings::parse_patch_body;
use crate::model::{Errors, ValidationError};
use crate::store;
use serde_json::Value;

/// `GET /api/settings` (through `onSettingsListRequest`).
pub async fn list(app: &App, request: RequestData) -> Result<Value, AppError> {
    let settings = app.settings().as_ref().clone();
    if app.hooks().on_settings_list_request.is_empty() {
        return Ok(settings.to_public());
    }
    let ev = SettingsListRequestEvent {
        app: app.clone(),
        settings,
        request,
    };
    let ev = super::hook_run::trigger_detached(app, |h| &h.on_settings_list_request, ev)
        .await?
        .ok_or(AppError::Stopped)?;
    Ok(ev.settings.to_public())
}

/// `onSettingsReload`, once the running app has the new settings.
fn reloaded(app: &App) {
    if app.hooks().on_settings_reload.is_empty() {
        return;
    }
    let mut ev = SettingsReloadEvent { app: app.clone() };
    let run = || app.hooks().on_settings_reload.trigger(&mut ev, |_| Ok(()));
    if let Err(e) = super::hook_run::blocking(run) {
        tracing::warn!("an onSettingsReload handler failed: {e}");
    }
}

/// `PATCH /api/settings`: merge, `onSettingsUpdateRequest`, validate, store, apply.
pub async fn patch(app: &App, raw: &[u8], request: RequestData) -> Result<Value, AppError> {
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
    let next = if app.hooks().on_settings_update_request.is_empty() {
        next
    } else {
        let ev = SettingsUpdateRequestEvent {
            app: app.clone(),
            old_settings: current.as_ref().clone(),
            new_settings: next,
            request,
        };
        super::hook_run::trigger_detached(app, |h| &h.on_settings_update_request, ev)
            .await?
            .ok_or(AppError::Stopped)?
            .new_settings
    };
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
    let storage_changed = next.s3 != current.s3;
    app.set_settings(next);
    if storage_changed {
        app.reload_files().await?;
    }
    reloaded(app);
    if let Err(e) = store::logs::prune(app.aux_db(), max_days, min_level).await {
        tracing::warn!("pruning logs failed: {e}");
    }
    Ok(public)
}

/// `$app.save(settings)` of JS hooks and migrations: merges `body`, validates and stores it inside the
/// open transaction; the running app sees the new settings once it commits.
pub fn save_in(app: &App, tx: &store::Tx, body: &Value) -> Result<(), AppError> {
    let current = app.settings();
    let next = current.apply_patch(body).map_err(|_| {
        AppError::bad_request("An error occurred while loading the submitted data.")
    })?;
    next.validate().map_err(|data| {
        AppError::validation("An error occurred while saving the new settings.", data)
    })?;
    let stored = app.encode_settings(&next)?;
    store::params::set_raw(tx, "settings", &stored)?;
    let app2 = app.clone();
    tx.after_commit(move || {
        app2.set_settings(next);
        reloaded(&app2);
    });
    Ok(())
}

const TEST_S3_FAILED: &str = "Failed to test the S3 filesystem.";

/// `POST /api/settings/test/s3`: body `{"filesystem":"storage"|"backups"}`; uploads and deletes a
/// test object with the saved settings of that bucket.
pub async fn test_s3(app: &App, body: &Value) -> Result<(), AppError> {
    let filesystem = body.get("filesystem").and_then(Value::as_str).unwrap_or("");
    let mut errors = Errors::new();
    match filesystem {
        "storage" | "backups" => {}
        "" => errors.add("filesystem", ValidationError::required()),
        _ => errors.add(
            "filesystem",
            ValidationError::new("validation_in_invalid", "Must be a valid value."),
        ),
    }
    if !errors.is_empty() {
        return Err(AppError::validation(TEST_S3_FAILED, errors));
    }
    let settings = app.settings();
    let config = if filesystem == "storage" {
        &settings.s3
    } else {
        &settings.backups.s3
    };
    let raw = |e: String| AppError::bad_request(&format!("{TEST_S3_FAILED} Raw error: \n{e}"));
    if !config.enabled {
        // PocketBase names the storage filesystem here for both
        return Err(raw("S3 storage filesystem is not enabled.".to_string()));
    }
    files::test_s3(config).await.map_err(|e| raw(e.to_string()))
}
