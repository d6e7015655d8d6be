//! The connection threads: one writer owning the read-write connection, N readers with `query_only` connections.

use super::error::StoreError;
use super::tx::{with_writer, Tx};
use crossbeam_channel::{unbounded, Receiver, Sender};
use rusqlite::Connection;
use std::cell::RefCell;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::rc::Rc;
use std::sync::Arc;
use std::thread;
use tokio::sync::oneshot;

type ReadJob = Box<dyn FnOnce(&Connection) + Send>;

thread_local! {
    /// `read_now` connections of this thread, by database path.
    static LOCAL_READERS: RefCell<HashMap<PathBuf, Rc<Connection>>> = RefCell::new(HashMap::new());
}
type WriteJob = Box<dyn FnOnce() + Send>;

/// Cheap-clone handle to one SQLite database file.
#[derive(Clone)]
pub struct Db {
    inner: Arc<DbInner>,
}

struct DbInner {
    path: PathBuf,
    writer: Sender<WriteJob>,
    readers: Sender<ReadJob>,
    writer_thread: thread::ThreadId,
    dev: bool,
}

fn trace_sql(event: rusqlite::trace::TraceEvent<'_>) {
    if let rusqlite::trace::TraceEvent::Stmt(_, sql) = event {
        tracing::debug!(target: "ferrobase::sql", "{sql}");
    }
}

/// Math functions PocketBase's SQLite build has and the bundled one lacks (used by `geoDistance`).
fn register_math(conn: &Connection) -> Result<(), StoreError> {
    use rusqlite::functions::FunctionFlags;
    let flags = FunctionFlags::SQLITE_UTF8 | FunctionFlags::SQLITE_DETERMINISTIC;
    type Unary = fn(f64) -> f64;
    let unary: [(&str, Unary); 6] = [
        ("acos", f64::acos),
        ("asin", f64::asin),
        ("cos", f64::cos),
        ("sin", f64::sin),
        ("radians", f64::to_radians),
        ("degrees", f64::to_degrees),
    ];
    for (name, f) in unary {
        conn.create_scalar_function(name, 1, flags, move |ctx| {
            let x: Option<f64> = ctx.get(0)?;
            Ok(x.map(f).filter(|v| v.is_finite()))
        })?;
    }
    Ok(())
}

/// Opens a connection with the pragmas every connection gets; `dev` logs every statement.
pub fn open_connection(path: &Path, read_only: bool, dev: bool) -> Result<Connection, StoreError> {
    let conn = Connection::open(path)?;
    conn.busy_timeout(std::time::Duration::from_secs(10))?;
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(None, "synchronous", "NORMAL")?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    conn.pragma_update(None, "temp_store", "MEMORY")?;
    conn.pragma_update(None, "cache_size", -32000)?;
    conn.pragma_update(None, "journal_size_limit", 200_000_000)?;
    if read_only {
        conn.pragma_update(None, "query_only", "ON")?;
    }
    conn.set_prepared_statement_cache_capacity(256);
    register_math(&conn)?;
    if dev {
        conn.trace_v2(
            rusqlite::trace::TraceEventCodes::SQLITE_TRACE_STMT,
            Some(trace_sql),
        );
    }
    Ok(conn)
}

impl Db {
    /// Opens `path` (creating it) with one writer thread and `n_readers` reader threads.
    /// With `dev`, every SQL statement is logged at debug level (target `ferrobase::sql`).
    pub fn open(path: &Path, n_readers: usize, dev: bool) -> Result<Db, StoreError> {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(|e| StoreError::Io(e.to_string()))?;
        }
        let writer_conn = open_connection(path, false, dev)?;
        let (wtx, wrx) = unbounded::<WriteJob>();
        let writer = thread::Builder::new()
            .name("db-writer".into())
            .spawn(move || {
                super::tx::install_writer(writer_conn);
                while let Ok(job) = wrx.recv() {
                    job();
                }
            })
            .map_err(|e| StoreError::Io(e.to_string()))?;
        let (rtx, rrx) = unbounded::<ReadJob>();
        for i in 0..n_readers.max(1) {
            let conn = open_connection(path, true, dev)?;
            let rrx: Receiver<ReadJob> = rrx.clone();
            thread::Builder::new()
                .name(format!("db-reader-{i}"))
                .spawn(move || {
                    while let Ok(job) = rrx.recv() {
                        job(&conn);
                    }
                })
                .map_err(|e| StoreError::Io(e.to_string()))?;
        }
        Ok(Db {
            inner: Arc::new(DbInner {
                path: path.to_path_buf(),
                writer: wtx,
                readers: rtx,
                writer_thread: writer.thread().id(),
                dev,
            }),
        })
    }

    pub fn path(&self) -> &Path {
        &self.inner.path
    }

    /// Runs `f` right here, on this thread's own `query_only` connection to the database (opened on first
    /// use and kept for the thread's life). For short queries on the request path: no thread hand-off,
    /// which costs more than a point lookup. Long queries belong on `read`.
    pub fn read_now<T>(
        &self,
        f: impl FnOnce(&Connection) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let conn = LOCAL_READERS.with(|m| -> Result<Rc<Connection>, StoreError> {
            if let Some(c) = m.borrow().get(&self.inner.path) {
                return Ok(c.clone());
            }
            let c = Rc::new(open_connection(&self.inner.path, true, self.inner.dev)?);
            m.borrow_mut().insert(self.inner.path.clone(), c.clone());
            Ok(c)
        })?;
        f(&conn)
    }

    /// Runs `f` on a reader connection.
    pub async fn read<T, F>(&self, f: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> Result<T, StoreError> + Send + 'static,
    {
        let (tx, rx) = oneshot::channel();
        self.inner
            .readers
            .send(Box::new(move |c| {
                let _ = tx.send(f(c));
            }))
            .map_err(|_| StoreError::Closed)?;
        rx.await.map_err(|_| StoreError::Closed)?
    }

    /// Runs `f` inside `BEGIN IMMEDIATE … COMMIT` on the writer thread; after-commit callbacks run once committed.
    /// Must never be called from the writer thread itself (use the open `Tx` instead).
    pub async fn write<T, E, F>(&self, f: F) -> Result<T, E>
    where
        T: Send + 'static,
        E: From<StoreError> + Send + 'static,
        F: FnOnce(&Tx) -> Result<T, E> + Send + 'static,
    {
        let (tx, rx) = oneshot::channel();
        self.send_write(move || {
            let _ = tx.send(run_in_tx(f));
        })?;
        rx.await.map_err(|_| E::from(StoreError::Closed))?
    }

    /// Blocking variant of `write` for CLI commands and startup (not for async contexts).
    pub fn write_blocking<T, E, F>(&self, f: F) -> Result<T, E>
    where
        T: Send + 'static,
        E: From<StoreError> + Send + 'static,
        F: FnOnce(&Tx) -> Result<T, E> + Send + 'static,
    {
        if thread::current().id() == self.inner.writer_thread && Tx::current().is_none() {
            // on the writer thread between transactions (an after-commit hook): run it right here
            return run_in_tx(f);
        }
        let (tx, rx) = std::sync::mpsc::channel();
        self.send_write(move || {
            let _ = tx.send(run_in_tx(f));
        })?;
        rx.recv().map_err(|_| E::from(StoreError::Closed))?
    }

    /// Blocking read for CLI commands and startup.
    pub fn read_blocking<T, F>(&self, f: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> Result<T, StoreError> + Send + 'static,
    {
        let (tx, rx) = std::sync::mpsc::channel();
        self.inner
            .readers
            .send(Box::new(move |c| {
                let _ = tx.send(f(c));
            }))
            .map_err(|_| StoreError::Closed)?;
        rx.recv().map_err(|_| StoreError::Closed)?
    }

    /// Opens a write transaction on the writer thread that stays open while the caller (another thread) sends
    /// it work, until `WriteSession::finish`. For `$app.runInTransaction` called outside the writer thread.
    pub fn begin_session(&self) -> Result<WriteSession, StoreError> {
        let (jobs_tx, jobs_rx) = std::sync::mpsc::channel::<SessionMsg>();
        let (done_tx, done_rx) = std::sync::mpsc::channel::<Result<(), StoreError>>();
        self.send_write(move || {
            let out = run_in_tx(|tx| loop {
                match jobs_rx.recv() {
                    Ok(SessionMsg::Job(f)) => f(tx),
                    Ok(SessionMsg::End(true)) => return Ok(()),
                    Ok(SessionMsg::End(false)) | Err(_) => return Err(StoreError::RolledBack),
                }
            });
            let _ = done_tx.send(out);
        })?;
        Ok(WriteSession {
            jobs: jobs_tx,
            done: done_rx,
        })
    }

    fn send_write(&self, job: impl FnOnce() + Send + 'static) -> Result<(), StoreError> {
        if thread::current().id() == self.inner.writer_thread {
            return Err(StoreError::Reentrant);
        }
        self.inner
            .writer
            .send(Box::new(job))
            .map_err(|_| StoreError::Closed)
    }
}

enum SessionMsg {
    Job(Box<dyn FnOnce(&Tx) + Send>),
    End(bool),
}

/// A write transaction held open on the writer thread for another thread (see `Db::begin_session`).
pub struct WriteSession {
    jobs: std::sync::mpsc::Sender<SessionMsg>,
    done: std::sync::mpsc::Receiver<Result<(), StoreError>>,
}

impl WriteSession {
    /// Runs `f` inside the session's transaction and waits for its result.
    pub fn run<T: Send + 'static>(
        &self,
        f: impl FnOnce(&Tx) -> T + Send + 'static,
    ) -> Result<T, StoreError> {
        let (tx, rx) = std::sync::mpsc::channel();
        self.jobs
            .send(SessionMsg::Job(Box::new(move |t| {
                let _ = tx.send(f(t));
            })))
            .map_err(|_| StoreError::Closed)?;
        rx.recv().map_err(|_| StoreError::Closed)
    }

    /// Commits (or rolls back) and waits for the writer to finish.
    pub fn finish(self, commit: bool) -> Result<(), StoreError> {
        self.jobs
            .send(SessionMsg::End(commit))
            .map_err(|_| StoreError::Closed)?;
        match self.done.recv() {
            Ok(Err(StoreError::RolledBack)) if !commit => Ok(()),
            Ok(r) => r,
            Err(_) => Err(StoreError::Closed),
        }
    }
}

fn run_in_tx<T, E, F>(f: F) -> Result<T, E>
where
    E: From<StoreError>,
    F: FnOnce(&Tx) -> Result<T, E>,
{
    with_writer(|c| c.execute_batch("BEGIN IMMEDIATE")).map_err(StoreError::from)?;
    let tx = Tx::begin();
    let out = f(&tx);
    Tx::end();
    match out {
        Ok(v) => {
            if let Err(e) = with_writer(|c| c.execute_batch("COMMIT")) {
                let _ = with_writer(|c| c.execute_batch("ROLLBACK"));
                let _ = Tx::take_after_commit();
                Tx::take_after_rollback().into_iter().for_each(|cb| cb());
                return Err(StoreError::from(e).into());
            }
            let _ = Tx::take_after_rollback();
            for cb in Tx::take_after_commit() {
                cb();
            }
            Ok(v)
        }
        Err(e) => {
            let _ = with_writer(|c| c.execute_batch("ROLLBACK"));
            let _ = Tx::take_after_commit();
            Tx::take_after_rollback().into_iter().for_each(|cb| cb());
            Err(e)
        }
    }
}
