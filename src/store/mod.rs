//! Every line of SQL and every rusqlite call: connection threads, schema bootstrap and sync, queries.

pub mod changes;
pub mod collections;
mod db;
pub mod dbx;
mod error;
pub mod logs;
pub mod migrations;
pub mod params;
pub mod records;
pub mod relations;
pub mod resolver;
pub mod rule_query;
pub mod schema;
mod sql;
pub mod table_sync;
mod tx;
pub mod view_inspect;

pub use db::{park_readers, Db, WriteSession};
pub use error::StoreError;
pub use rusqlite::Connection;
pub use sql::{ident as quote, push_ident};
pub use tx::Tx;
