//! Automigrate: a collection created, updated or deleted through the REST API writes the matching
//! `<unix>_created_|updated_|deleted_<name>.js` into the migrations directory and records it in
//! `_migrations` as already applied (spec 09 §7). Nothing else (imports, hooks, migrations) does.

use super::names::automigrate_file_name;
use super::templates;
use crate::app::{App, AppError};
use crate::model::Collection;
use crate::store;

/// Writes and records the migration file of one REST change, when automigrate is on. `old` is the
/// collection before the change (`None` for a create), `new_id` the changed collection's id (`None`
/// for a delete); its stored state is read back after the commit. Returns the file name written, or
/// `None` when automigrate is off or nothing changed. The change itself is already committed: an error
/// here does not undo it (PocketBase logs it with the request and still answers with success).
pub async fn record_change(
    app: &App,
    old: Option<&Collection>,
    new_id: Option<&str>,
) -> Result<Option<String>, AppError> {
    if !app.config().automigrate {
        return Ok(None);
    }
    let new = new_id.and_then(|id| app.find_collection(id));
    let template = templates::for_change(old, new.as_deref())
        .map_err(|e| AppError::internal(format!("failed to resolve template: {e}")))?;
    let Some(template) = template else {
        return Ok(None);
    };
    let action = match (old, new.as_deref()) {
        (_, None) => format!("deleted_{}", old.map_or("", |c| c.name.as_str())),
        (None, Some(new)) => format!("created_{}", new.name),
        (Some(old), Some(_)) => format!("updated_{}", old.name),
    };
    let name = automigrate_file_name(chrono::Utc::now().timestamp(), &action);
    let dir = app.config().migrations_dir.clone();
    let file = name.clone();
    app.db()
        .write(move |tx| {
            store::migrations::insert(tx, &file, chrono::Utc::now().timestamp_micros())?;
            std::fs::create_dir_all(&dir)
                .map_err(|e| AppError::internal(format!("failed to create migration dir: {e}")))?;
            std::fs::write(dir.join(&file), template)
                .map_err(|e| AppError::internal(format!("failed to save automigrate file: {e}")))
        })
        .await?;
    Ok(Some(name))
}
