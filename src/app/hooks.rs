//! The one table of every hook: it yields the `Hooks` struct and the list of JS names (`HOOK_NAMES`).

use super::events::{
    BatchRequestEvent, BootstrapEvent, CollectionEvent, CollectionRequestEvent,
    CollectionsImportRequestEvent, CollectionsListRequestEvent, FileDownloadRequestEvent,
    FileTokenRequestEvent, MailerEvent, MailerRecordEvent, ModelEvent,
    RecordAuthActionRequestEvent, RecordAuthRequestEvent, RecordAuthWithPasswordRequestEvent,
    RecordEnrichEvent, RecordEvent, RecordRequestEvent, RecordsListRequestEvent,
    SettingsListRequestEvent, SettingsReloadEvent, SettingsUpdateRequestEvent, TerminateEvent,
};
use super::AppError;
use crate::hook::Hook;

macro_rules! hooks_table {
    ($( $field:ident : $event:ty => $js:literal ),* $(,)?) => {
        /// Every extension point of the app.
        #[derive(Default)]
        pub struct Hooks {
            $( pub $field: Hook<$event, AppError>, )*
        }

        /// The JS global names of every hook, in table order (checked against `js-types/`).
        pub const HOOK_NAMES: &[&str] = &[ $( $js ),* ];
    };
}

/// Calls the macro `$m` with the whole table (`field: Event => "jsName"`, ...): the one list every
/// by-name dispatch (the JS binder) is generated from.
macro_rules! hook_list {
    ($m:ident) => {
        $m! {
    on_bootstrap: BootstrapEvent => "onBootstrap",
    on_terminate: TerminateEvent => "onTerminate",

    on_record_create_request: RecordRequestEvent => "onRecordCreateRequest",
    on_record_update_request: RecordRequestEvent => "onRecordUpdateRequest",
    on_record_delete_request: RecordRequestEvent => "onRecordDeleteRequest",
    on_record_view_request: RecordRequestEvent => "onRecordViewRequest",
    on_records_list_request: RecordsListRequestEvent => "onRecordsListRequest",
    on_record_auth_request: RecordAuthRequestEvent => "onRecordAuthRequest",
    on_record_auth_with_password_request: RecordAuthWithPasswordRequestEvent => "onRecordAuthWithPasswordRequest",
    on_record_enrich: RecordEnrichEvent => "onRecordEnrich",
    on_record_auth_refresh_request: RecordAuthActionRequestEvent => "onRecordAuthRefreshRequest",
    on_record_request_verification_request: RecordAuthActionRequestEvent => "onRecordRequestVerificationRequest",
    on_record_confirm_verification_request: RecordAuthActionRequestEvent => "onRecordConfirmVerificationRequest",
    on_record_request_password_reset_request: RecordAuthActionRequestEvent => "onRecordRequestPasswordResetRequest",
    on_record_confirm_password_reset_request: RecordAuthActionRequestEvent => "onRecordConfirmPasswordResetRequest",
    on_record_request_email_change_request: RecordAuthActionRequestEvent => "onRecordRequestEmailChangeRequest",
    on_record_confirm_email_change_request: RecordAuthActionRequestEvent => "onRecordConfirmEmailChangeRequest",
    on_record_request_otp_request: RecordAuthActionRequestEvent => "onRecordRequestOTPRequest",
    on_record_auth_with_otp_request: RecordAuthActionRequestEvent => "onRecordAuthWithOTPRequest",

    on_batch_request: BatchRequestEvent => "onBatchRequest",
    on_file_download_request: FileDownloadRequestEvent => "onFileDownloadRequest",
    on_file_token_request: FileTokenRequestEvent => "onFileTokenRequest",

    on_settings_list_request: SettingsListRequestEvent => "onSettingsListRequest",
    on_settings_update_request: SettingsUpdateRequestEvent => "onSettingsUpdateRequest",
    on_settings_reload: SettingsReloadEvent => "onSettingsReload",

    on_collections_list_request: CollectionsListRequestEvent => "onCollectionsListRequest",
    on_collections_import_request: CollectionsImportRequestEvent => "onCollectionsImportRequest",
    on_collection_view_request: CollectionRequestEvent => "onCollectionViewRequest",
    on_collection_create_request: CollectionRequestEvent => "onCollectionCreateRequest",
    on_collection_update_request: CollectionRequestEvent => "onCollectionUpdateRequest",
    on_collection_delete_request: CollectionRequestEvent => "onCollectionDeleteRequest",

    on_model_validate: ModelEvent => "onModelValidate",
    on_model_create: ModelEvent => "onModelCreate",
    on_model_create_execute: ModelEvent => "onModelCreateExecute",
    on_model_after_create_success: ModelEvent => "onModelAfterCreateSuccess",
    on_model_after_create_error: ModelEvent => "onModelAfterCreateError",
    on_model_update: ModelEvent => "onModelUpdate",
    on_model_update_execute: ModelEvent => "onModelUpdateExecute",
    on_model_after_update_success: ModelEvent => "onModelAfterUpdateSuccess",
    on_model_after_update_error: ModelEvent => "onModelAfterUpdateError",
    on_model_delete: ModelEvent => "onModelDelete",
    on_model_delete_execute: ModelEvent => "onModelDeleteExecute",
    on_model_after_delete_success: ModelEvent => "onModelAfterDeleteSuccess",
    on_model_after_delete_error: ModelEvent => "onModelAfterDeleteError",

    on_collection_validate: CollectionEvent => "onCollectionValidate",
    on_collection_create: CollectionEvent => "onCollectionCreate",
    on_collection_create_execute: CollectionEvent => "onCollectionCreateExecute",
    on_collection_after_create_success: CollectionEvent => "onCollectionAfterCreateSuccess",
    on_collection_after_create_error: CollectionEvent => "onCollectionAfterCreateError",
    on_collection_update: CollectionEvent => "onCollectionUpdate",
    on_collection_update_execute: CollectionEvent => "onCollectionUpdateExecute",
    on_collection_after_update_success: CollectionEvent => "onCollectionAfterUpdateSuccess",
    on_collection_after_update_error: CollectionEvent => "onCollectionAfterUpdateError",
    on_collection_delete: CollectionEvent => "onCollectionDelete",
    on_collection_delete_execute: CollectionEvent => "onCollectionDeleteExecute",
    on_collection_after_delete_success: CollectionEvent => "onCollectionAfterDeleteSuccess",
    on_collection_after_delete_error: CollectionEvent => "onCollectionAfterDeleteError",

    on_record_validate: RecordEvent => "onRecordValidate",
    on_record_create: RecordEvent => "onRecordCreate",
    on_record_create_execute: RecordEvent => "onRecordCreateExecute",
    on_record_after_create_success: RecordEvent => "onRecordAfterCreateSuccess",
    on_record_after_create_error: RecordEvent => "onRecordAfterCreateError",
    on_record_update: RecordEvent => "onRecordUpdate",
    on_record_update_execute: RecordEvent => "onRecordUpdateExecute",
    on_record_after_update_success: RecordEvent => "onRecordAfterUpdateSuccess",
    on_record_after_update_error: RecordEvent => "onRecordAfterUpdateError",
    on_record_delete: RecordEvent => "onRecordDelete",
    on_record_delete_execute: RecordEvent => "onRecordDeleteExecute",
    on_record_after_delete_success: RecordEvent => "onRecordAfterDeleteSuccess",
    on_record_after_delete_error: RecordEvent => "onRecordAfterDeleteError",

    on_mailer_send: MailerEvent => "onMailerSend",
    on_mailer_record_auth_alert_send: MailerRecordEvent => "onMailerRecordAuthAlertSend",
    on_mailer_record_password_reset_send: MailerRecordEvent => "onMailerRecordPasswordResetSend",
    on_mailer_record_verification_send: MailerRecordEvent => "onMailerRecordVerificationSend",
    on_mailer_record_email_change_send: MailerRecordEvent => "onMailerRecordEmailChangeSend",
    on_mailer_record_otp_send: MailerRecordEvent => "onMailerRecordOTPSend",
}
    };
}
pub(crate) use hook_list;

hook_list!(hooks_table);
