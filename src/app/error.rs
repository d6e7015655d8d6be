//! `AppError`: the one domain error carried through services and hook chains; `http` maps it to PocketBase's JSON.

use crate::model::Errors;
use crate::store::StoreError;

#[derive(Debug, Clone, thiserror::Error)]
pub enum AppError {
    /// 400 with a message and (possibly empty) validation data.
    #[error("{message}")]
    BadRequest { message: String, data: Errors },
    #[error("{0}")]
    Unauthorized(String),
    #[error("{0}")]
    Forbidden(String),
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    TooManyRequests(String),
    /// The first factor passed and a second one is required: 401 with the bare body `{"mfaId": id}`.
    #[error("MFA required ({0})")]
    MfaRequired(String),
    /// Any status with a ready message and `data` (errors thrown by JS hooks: `new ApiError(418, …)`).
    #[error("{message}")]
    Api {
        status: u16,
        message: String,
        data: serde_json::Value,
    },
    /// A request hook finished without calling `e.next()`: the request stops with 200 and an empty body.
    #[error("the request was stopped by a hook")]
    Stopped,
    /// An internal failure; the text is logged, never sent.
    #[error("{0}")]
    Internal(String),
}

impl AppError {
    pub fn bad_request(message: &str) -> AppError {
        AppError::BadRequest {
            message: message.to_string(),
            data: Errors::new(),
        }
    }

    pub fn validation(message: &str, data: Errors) -> AppError {
        AppError::BadRequest {
            message: message.to_string(),
            data,
        }
    }

    pub fn not_found() -> AppError {
        AppError::NotFound(String::new())
    }

    pub fn internal(e: impl std::fmt::Display) -> AppError {
        AppError::Internal(e.to_string())
    }
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound => AppError::not_found(),
            other => AppError::Internal(other.to_string()),
        }
    }
}
