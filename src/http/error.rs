//! `ApiError`: PocketBase's error JSON (`{status, message, data}`) and the mapping from `AppError`.

use crate::app::AppError;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{json, Value};

#[derive(Debug, Clone)]
pub struct ApiError {
    pub status: u16,
    pub message: String,
    pub data: Value,
}

/// Capitalises the first letter and ends the sentence with a period, as PocketBase does.
fn sentence(message: &str, status: u16) -> String {
    let trimmed = message.trim();
    let base = if trimmed.is_empty() {
        default_message(status)
    } else {
        trimmed
    };
    let mut chars = base.chars();
    let mut out = match chars.next() {
        Some(c) => c.to_uppercase().collect::<String>() + chars.as_str(),
        None => String::new(),
    };
    if !out.ends_with(['.', '?', '!']) {
        out.push('.');
    }
    out
}

fn default_message(status: u16) -> &'static str {
    match status {
        401 => "Missing or invalid authentication.",
        403 => "You are not allowed to perform this request.",
        404 => "The requested resource wasn't found.",
        413 => "Request entity too large.",
        429 => "Too Many Requests.",
        _ => "Something went wrong while processing your request.",
    }
}

impl ApiError {
    pub fn new(status: u16, message: &str) -> ApiError {
        ApiError {
            status,
            message: sentence(message, status),
            data: json!({}),
        }
    }

    pub fn bad_request(message: &str) -> ApiError {
        ApiError::new(400, message)
    }

    pub fn not_found() -> ApiError {
        ApiError::new(404, "")
    }

    pub fn unauthorized(message: &str) -> ApiError {
        ApiError::new(401, message)
    }

    pub fn forbidden(message: &str) -> ApiError {
        ApiError::new(403, message)
    }

    pub fn too_large() -> ApiError {
        ApiError::new(413, "")
    }

    /// An answer whose body is `body` alone, without `message`/`status` (the MFA 401 `{"mfaId"}`).
    /// Marked by an empty message, which [`ApiError::new`] never produces.
    pub fn bare(status: u16, body: Value) -> ApiError {
        ApiError {
            status,
            message: String::new(),
            data: body,
        }
    }

    pub fn to_json(&self) -> Value {
        if self.message.is_empty() {
            return self.data.clone();
        }
        json!({ "data": self.data, "message": self.message, "status": self.status })
    }
}

impl From<AppError> for ApiError {
    fn from(e: AppError) -> Self {
        match e {
            AppError::BadRequest { message, data } => ApiError {
                status: 400,
                message: sentence(&message, 400),
                data: data.to_json(),
            },
            AppError::Unauthorized(m) => ApiError::new(401, &m),
            AppError::Forbidden(m) => ApiError::new(403, &m),
            AppError::NotFound(m) => ApiError::new(404, &m),
            AppError::TooManyRequests(m) => ApiError::new(429, &m),
            AppError::MfaRequired(id) => ApiError::bare(401, json!({ "mfaId": id })),
            AppError::Api {
                status,
                message,
                data,
            } => ApiError {
                status,
                message,
                data,
            },
            AppError::Stopped => ApiError {
                status: 200,
                message: String::new(),
                data: Value::Null,
            },
            AppError::Internal(m) => {
                tracing::error!("internal error: {m}");
                ApiError::new(500, "")
            }
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        if self.status == 200 {
            // a hook stopped the chain without writing an answer
            return StatusCode::OK.into_response();
        }
        let status = StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let mut res = (status, axum::Json(self.to_json())).into_response();
        res.extensions_mut()
            .insert(LoggedError(self.message.clone()));
        res
    }
}

/// Marks a response as an error for the request logger (the message it carries).
#[derive(Clone)]
pub struct LoggedError(pub String);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_are_sentences() {
        assert_eq!(
            ApiError::new(400, "invalid or expired OTP").message,
            "Invalid or expired OTP."
        );
        assert_eq!(
            ApiError::new(404, "").message,
            "The requested resource wasn't found."
        );
        assert_eq!(ApiError::new(400, "Done!").message, "Done!");
    }
}
