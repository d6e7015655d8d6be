//! The event types hook handlers receive.

use super::{App, AppError};
use crate::model::record::Record;
use crate::model::Collection;
use std::sync::Arc;

/// A collection being created, updated or deleted.
pub struct CollectionEvent {
    pub app: App,
    pub collection: Collection,
    /// Set on the `…AfterError` hooks.
    pub error: Option<AppError>,
}

/// A record being created, updated or deleted.
pub struct RecordEvent {
    pub app: App,
    pub collection: Arc<Collection>,
    pub record: Record,
    /// Set on the `…AfterError` hooks.
    pub error: Option<AppError>,
}

/// Either kind of model, for the generic `onModel…` hooks.
pub enum Model {
    Collection(Box<Collection>),
    Record(Arc<Collection>, Record),
}

/// A model (collection or record) being saved or deleted.
pub struct ModelEvent {
    pub app: App,
    pub model: Model,
    pub error: Option<AppError>,
}

/// The app has finished starting (or a command is about to run).
pub struct BootstrapEvent {
    pub app: App,
}

/// The request behind an API hook: who asks and the request data rules see.
#[derive(Debug, Clone, Default)]
pub struct RequestData {
    /// The auth record (collection, record) of the request, when signed in.
    pub auth: Option<(Arc<Collection>, Record)>,
    pub info: crate::store::resolver::RequestInfo,
}

/// A record API request (create, update, delete, view): `record` holds the submitted values (update: the
/// stored record with the body applied; `original` is the stored copy).
pub struct RecordRequestEvent {
    pub app: App,
    pub collection: Arc<Collection>,
    pub record: Record,
    pub original: Option<Record>,
    pub request: RequestData,
}

/// A collection API request (view, create, update, delete): `collection` is the stored one; for create the
/// one built from the body, for update the stored one with the body applied. `e.next()` does the write.
pub struct CollectionRequestEvent {
    pub app: App,
    pub collection: Collection,
    pub request: RequestData,
}

/// `GET /api/collections` after its query: `result` is the page the client gets.
pub struct CollectionsListRequestEvent {
    pub app: App,
    pub collections: Vec<Arc<Collection>>,
    pub result: serde_json::Value,
    pub request: RequestData,
}

/// A list request after its query: `result` is the page envelope the client gets.
pub struct RecordsListRequestEvent {
    pub app: App,
    pub collection: Arc<Collection>,
    pub result: serde_json::Value,
    pub request: RequestData,
}

/// Any successful sign-in, right before the auth response is written.
pub struct RecordAuthRequestEvent {
    pub app: App,
    pub collection: Arc<Collection>,
    pub record: Record,
    pub token: String,
    pub meta: Option<serde_json::Value>,
    pub auth_method: String,
    pub request: RequestData,
}

/// A record about to be serialised into an API answer (list, view, create, update, auth, batch, expand,
/// realtime). `json` is the answer built so far; what handlers change on the record is applied to it.
pub struct RecordEnrichEvent {
    pub app: App,
    pub collection: Arc<Collection>,
    pub record: Record,
    pub json: serde_json::Value,
    /// The requester sees hidden fields (a superuser): `hide()` then changes nothing.
    pub show_hidden: bool,
    /// Fields hidden (`name`) or unhidden (`!name`) by handlers so far.
    pub hidden: Vec<String>,
    /// A handler asked for the record's non-field values (`withCustomData(true)`).
    pub custom: bool,
    pub request: RequestData,
}

/// `auth-with-password`, before the password is checked (`record` is None when nothing matched).
pub struct RecordAuthWithPasswordRequestEvent {
    pub app: App,
    pub collection: Arc<Collection>,
    pub record: Option<Record>,
    pub identity: String,
    pub identity_field: String,
    pub password: String,
    pub request: RequestData,
}

/// An auth-record API request other than sign-in by password: auth refresh, verification and password
/// reset (request and confirm), email change (request and confirm), OTP request and sign-in by OTP.
/// `record` is the record the request is about (`None` only for an OTP request to an unknown email);
/// `extra` holds the hook's other values (`newEmail`, the OTP `password`, the `otp` row).
pub struct RecordAuthActionRequestEvent {
    pub app: App,
    pub collection: Arc<Collection>,
    pub record: Option<Record>,
    pub extra: serde_json::Map<String, serde_json::Value>,
    pub request: RequestData,
}

/// `GET /api/settings`: `settings` is what the superuser gets (without its secrets).
pub struct SettingsListRequestEvent {
    pub app: App,
    pub settings: crate::model::settings::Settings,
    pub request: RequestData,
}

/// `PATCH /api/settings` with the body merged, before it is validated and stored: `new_settings` is
/// what gets saved.
pub struct SettingsUpdateRequestEvent {
    pub app: App,
    pub old_settings: crate::model::settings::Settings,
    pub new_settings: crate::model::settings::Settings,
    pub request: RequestData,
}

/// The running app took new settings (after every stored change).
pub struct SettingsReloadEvent {
    pub app: App,
}

/// A file download (`GET /api/files/…`) once access is checked: `served_path`/`served_name` are the
/// stored object and the name it is served under (a thumb's when one was asked for).
pub struct FileDownloadRequestEvent {
    pub app: App,
    pub collection: Arc<Collection>,
    pub record: Record,
    pub file_field: serde_json::Value,
    pub served_path: String,
    pub served_name: String,
    pub request: RequestData,
}

/// `POST /api/files/token`: `token` is the file token the signed-in `record` gets.
pub struct FileTokenRequestEvent {
    pub app: App,
    pub collection: Arc<Collection>,
    pub record: Record,
    pub token: String,
    pub request: RequestData,
}

/// `POST /api/batch` once its size is checked, before any sub-request runs: `batch` holds the
/// sub-requests (`{method, url, headers, body}`) as they will run.
pub struct BatchRequestEvent {
    pub app: App,
    pub batch: Vec<serde_json::Value>,
    pub request: RequestData,
}

/// `PUT /api/collections/import` once the body is read, before anything is written:
/// `collections_data` (the collections as JSON) and `delete_missing` are what gets imported.
pub struct CollectionsImportRequestEvent {
    pub app: App,
    pub collections_data: Vec<serde_json::Value>,
    pub delete_missing: bool,
    pub request: RequestData,
}

/// The app is shutting down (or restarting for a hooks reload).
pub struct TerminateEvent {
    pub app: App,
    pub is_restart: bool,
}

/// A mail about to be sent (every outgoing mail): handlers may change `message`; a handler that does
/// not continue the chain stops the mail.
pub struct MailerEvent {
    pub app: App,
    pub message: crate::mail::Message,
}

/// An auth mail for `record` (verification, password reset, email change, OTP, login alert), before
/// it goes through [`MailerEvent`]. `meta` holds what the mail was made with (token, otpId, …).
pub struct MailerRecordEvent {
    pub app: App,
    pub collection: Arc<Collection>,
    pub record: Record,
    pub message: crate::mail::Message,
    pub meta: serde_json::Map<String, serde_json::Value>,
}
