//! One integration binary: starts the real server on port 0 and talks HTTP to it.

mod support;

mod anonymous_auth;
mod cli;
mod collections;
mod dropin;
mod expand;
mod files;
mod hooks;
mod http_basics;
mod impersonate;
mod js_types;
mod jsvm;
mod jsvm_api;
mod legacy_admins;
mod list_order;
mod mail;
mod migrations;
mod oauth2;
mod query;
mod rate_limits;
mod realtime;
mod records;
mod s3;
mod settings_logs;
mod superuser_auth;
mod tidy;
mod upload_memory;
