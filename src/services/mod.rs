//! The use-cases: each validates, runs the hooks and writes through the store inside one transaction.

pub mod auth_password;
pub mod auth_state;
pub mod batch;
pub mod collection_import;
pub mod collection_input;
pub mod collection_save;
pub mod collection_validate;
pub mod collections_list;
pub mod expand;
pub mod fields;
pub mod file_access;
mod legacy_schema;
pub mod list_params;
pub mod manage_rule;
pub mod model_hooks;
pub mod realtime;
pub mod realtime_payload;
pub mod record_auth_form;
pub mod record_files;
pub mod record_json;
pub mod record_save;
pub mod record_write;
pub mod records;
pub mod rules;
pub mod settings;
pub mod superusers;
pub mod view_fields;
