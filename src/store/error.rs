//! `StoreError`: what can go wrong below the SQL line.

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("sqlite: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("io: {0}")]
    Io(String),
    #[error("the database is closed")]
    Closed,
    #[error("a write was queued from the writer thread; use the open transaction")]
    Reentrant,
    #[error("not found")]
    NotFound,
    #[error("the transaction was rolled back")]
    RolledBack,
    #[error("corrupt data: {0}")]
    Corrupt(String),
}

impl StoreError {
    /// True for UNIQUE constraint violations.
    pub fn is_unique_violation(&self) -> bool {
        matches!(self, StoreError::Sqlite(rusqlite::Error::SqliteFailure(e, _))
            if e.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_UNIQUE
                || e.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_PRIMARYKEY)
    }

    /// The SQLite message, for validation errors that quote it.
    pub fn sqlite_message(&self) -> String {
        match self {
            StoreError::Sqlite(rusqlite::Error::SqliteFailure(_, Some(m))) => m.clone(),
            other => other.to_string(),
        }
    }
}
