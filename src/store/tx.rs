//! `Tx`: the open write transaction. The writer connection lives in a thread-local of the writer thread,
//! so any code running there inside a transaction (hooks, JS handlers) can reach it through `Tx::current()`
//! without threading a lifetime through every event.

use rusqlite::Connection;
use std::cell::{Cell, RefCell};
use std::marker::PhantomData;

pub(crate) type Callback = Box<dyn FnOnce() + Send>;

thread_local! {
    static WRITER_CONN: RefCell<Option<Connection>> = const { RefCell::new(None) };
    static IN_TX: Cell<bool> = const { Cell::new(false) };
    /// The open transaction wrote (or may have written) the `_collections` table.
    static COLLECTIONS_CHANGED: Cell<bool> = const { Cell::new(false) };
    static AFTER_COMMIT: RefCell<Vec<Callback>> = const { RefCell::new(Vec::new()) };
    static AFTER_ROLLBACK: RefCell<Vec<Callback>> = const { RefCell::new(Vec::new()) };
}

/// Installs the writer connection on the current (writer) thread.
pub(crate) fn install_writer(conn: Connection) {
    super::changes::watch(&conn);
    WRITER_CONN.with(|c| *c.borrow_mut() = Some(conn));
}

/// Runs `f` with the writer connection of this thread (outside of any transaction bookkeeping).
pub(crate) fn with_writer<T>(f: impl FnOnce(&Connection) -> T) -> T {
    WRITER_CONN.with(|c| {
        let guard = c.borrow();
        f(guard.as_ref().expect("called on the writer thread"))
    })
}

/// A token proving that a write transaction is open on this thread. Not `Send`.
#[derive(Clone, Copy)]
pub struct Tx {
    _not_send: PhantomData<*const ()>,
}

impl Tx {
    /// The open transaction of this thread, if any.
    pub fn current() -> Option<Tx> {
        IN_TX.with(|t| t.get()).then_some(Tx {
            _not_send: PhantomData,
        })
    }

    pub(crate) fn begin() -> Tx {
        IN_TX.with(|t| t.set(true));
        COLLECTIONS_CHANGED.with(|t| t.set(false));
        Tx {
            _not_send: PhantomData,
        }
    }

    pub(crate) fn end() {
        IN_TX.with(|t| t.set(false));
        COLLECTIONS_CHANGED.with(|t| t.set(false));
    }

    /// Notes that this transaction changed (or may have changed) collections: until it ends, readers of
    /// collections must ask the transaction instead of the committed cache.
    pub fn mark_collections_changed(&self) {
        COLLECTIONS_CHANGED.with(|t| t.set(true));
    }

    /// True when the committed collections are still what this transaction sees.
    pub fn collections_unchanged(&self) -> bool {
        !COLLECTIONS_CHANGED.with(Cell::get)
    }

    /// Runs `f` with the connection of the open transaction.
    pub fn with<T>(&self, f: impl FnOnce(&Connection) -> T) -> T {
        with_writer(f)
    }

    /// Runs `f` after the transaction commits; dropped on rollback.
    pub fn after_commit(&self, f: impl FnOnce() + Send + 'static) {
        AFTER_COMMIT.with(|a| a.borrow_mut().push(Box::new(f)));
    }

    pub(crate) fn take_after_commit() -> Vec<Callback> {
        AFTER_COMMIT.with(|a| std::mem::take(&mut *a.borrow_mut()))
    }

    /// Runs `f` if the transaction is rolled back (undoing side effects such as stored files); dropped
    /// on commit.
    pub fn after_rollback(&self, f: impl FnOnce() + Send + 'static) {
        AFTER_ROLLBACK.with(|a| a.borrow_mut().push(Box::new(f)));
    }

    pub(crate) fn take_after_rollback() -> Vec<Callback> {
        AFTER_ROLLBACK.with(|a| std::mem::take(&mut *a.borrow_mut()))
    }

    /// Runs `f` inside a savepoint: its writes are undone when it fails, the outer transaction goes on.
    pub fn savepoint<T, E: From<super::StoreError>>(
        &self,
        f: impl FnOnce(&Tx) -> Result<T, E>,
    ) -> Result<T, E> {
        self.with(|c| c.execute_batch("SAVEPOINT fb_sp"))
            .map_err(super::StoreError::from)?;
        match f(self) {
            Ok(v) => {
                self.with(|c| c.execute_batch("RELEASE fb_sp"))
                    .map_err(super::StoreError::from)?;
                Ok(v)
            }
            Err(e) => {
                let _ = self.with(|c| c.execute_batch("ROLLBACK TO fb_sp; RELEASE fb_sp"));
                Err(e)
            }
        }
    }
}
