//! `POST /api/collections/{c}/impersonate/{id}`: a superuser gets a non-refreshable auth token of any
//! auth record (spec 04 §5.4). The caller checked that the requester is a superuser; superusers pass
//! every `authRule`.

use super::auth_password::auth_response;
use super::auth_state::new_static_auth_token;
use crate::app::{App, AppError};
use crate::model::record::Record;
use crate::model::{Collection, Errors, ValidationError};
use crate::store;
use serde_json::Value;
use std::sync::Arc;

/// The auth collection and the record to impersonate (checked before the body is read).
pub fn target(
    app: &App,
    collection: &str,
    id: &str,
) -> Result<(Arc<Collection>, Record), AppError> {
    let c = app
        .find_collection(collection)
        .filter(|c| c.is_auth())
        .ok_or_else(|| AppError::NotFound("Missing or invalid auth collection context.".into()))?;
    let record = app
        .db()
        .read_now(|conn| store::records::find_by_id(conn, &c, id))?
        .ok_or_else(AppError::not_found)?;
    Ok((c, record))
}

/// The `{token, record}` answer with a token valid `duration` seconds (0: the collection's auth token
/// duration).
pub fn respond(c: &Collection, record: &Record, duration: i64) -> Result<Value, AppError> {
    if duration < 0 {
        let mut errors = Errors::new();
        errors.add(
            "duration",
            ValidationError::new(
                "validation_min_greater_equal_than_required",
                "Must be no less than {threshold}.",
            )
            .param("threshold", 0),
        );
        return Err(AppError::validation(
            "An error occurred while validating the submitted data.",
            errors,
        ));
    }
    let token = new_static_auth_token(c, record, duration).map_err(AppError::internal)?;
    Ok(auth_response(c, record, &token))
}
