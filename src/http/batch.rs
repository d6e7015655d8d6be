//! `POST /api/batch`.

use super::error::ApiError;
use super::extract::{Auth, RecordBody, ReqInfo};
use super::fields;
use super::middleware::ClientIp;
use crate::app::App;
use crate::services::batch::{self, BatchError};
use axum::extract::State;
use axum::Json;
use serde_json::{json, Value};

pub async fn batch(
    State(app): State<App>,
    Auth(auth): Auth,
    ReqInfo(info): ReqInfo,
    ClientIp(ip): ClientIp,
    body: Result<RecordBody, ApiError>,
) -> Result<Json<Value>, ApiError> {
    let body = body.map_err(|e| {
        if e.status == 413 {
            e
        } else {
            ApiError::bad_request("Failed to read the submitted batch data.")
        }
    })?;
    let files = body.files.into_iter().map(Into::into).collect();
    match batch::run(&app, Value::Object(body.data), &auth, info, files, ip).await {
        Ok(responses) => Ok(Json(Value::Array(
            responses
                .into_iter()
                .map(|r| json!({ "status": r.status, "body": fields::apply(r.body, r.query.get("fields")) }))
                .collect(),
        ))),
        Err(BatchError::Envelope(e)) => Err(e.into()),
        Err(BatchError::Request { index, error }) => {
            let response = ApiError::from(error).to_json();
            let mut failed = ApiError::bad_request("Batch transaction failed.");
            failed.data = json!({ "requests": { index.to_string(): {
                "code": "batch_request_failed",
                "message": "Batch request failed.",
                "response": response,
            }}});
            Err(failed)
        }
    }
}
