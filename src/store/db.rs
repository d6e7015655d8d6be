//! The connection threads: one writer owning the read-write connection, N readers with `query_only` connections.

use super::error::StoreError;
use super::tx::{with_writer, Tx};
use crossbeam_channel::{unbounded, Receiver, Sender};
use rusqlite::Connection;
use std::cell::{Cell, RefCell};
use std::path::{Path, PathBuf};
use std::rc::Rc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};
use tokio::sync::oneshot;

type ReadJob = Box<dyn FnOnce(&Connection) + Send>;

thread_local! {
    /// `read_now` connections of this thread, by database path (a handful at most: a linear search).
    static LOCAL_READERS: RefCell<Vec<(PathBuf, Rc<LocalReader>)>> = const { RefCell::new(Vec::new()) };
    /// This thread ends its readers' snapshots whenever it goes idle (see [`park_readers`]), so
    /// `read_now` may keep one snapshot open across calls.
    static KEEPS_SNAPSHOTS: Cell<bool> = const { Cell::new(false) };
}

/// Goes up after every COMMIT or ROLLBACK of any writer thread (after it, never before). A reader keeps its
/// snapshot only while this is unchanged, so a read that follows a write it waited for always sees it.
static WRITES: AtomicU64 = AtomicU64::new(0);

/// The oldest snapshot `read_now` reuses: bounds how late a write of another process becomes visible
/// and how long a busy thread holds back the WAL checkpoint.
const SNAPSHOT_MAX_AGE: Duration = Duration::from_millis(5);

/// A thread's `read_now` connection and the read transaction it may keep open between calls.
struct LocalReader {
    conn: Connection,
    /// `WRITES` when the open read transaction began, and when; `None` while none is open.
    snapshot: Cell<Option<(u64, Instant)>>,
    /// Nesting of `read_now` calls on this connection (only the outermost one begins or ends a transaction).
    depth: Cell<u32>,
}

impl LocalReader {
    /// Makes sure a read transaction no older than the last write is open.
    fn fresh_snapshot(&self) {
        let writes = WRITES.load(Ordering::Acquire);
        if let Some((at, since)) = self.snapshot.get() {
            if at == writes && since.elapsed() < SNAPSHOT_MAX_AGE && !self.conn.is_autocommit() {
                return;
            }
        }
        self.end_snapshot();
        // `writes` was read before the snapshot is taken (by the first statement): a commit in between
        // only makes the next call begin again.
        if self.run("BEGIN").is_ok() {
            self.snapshot.set(Some((writes, Instant::now())));
        }
    }

    /// Ends the open read transaction, if any.
    fn end_snapshot(&self) {
        self.snapshot.set(None);
        if !self.conn.is_autocommit() && self.run("COMMIT").is_err() {
            let _ = self.run("ROLLBACK");
        }
    }

    fn run(&self, sql: &str) -> rusqlite::Result<()> {
        self.conn.prepare_cached(sql)?.execute([]).map(|_| ())
    }
}

/// Restores the nesting depth of a `read_now` call, even when `f` panics.
struct Depth<'a>(&'a LocalReader);

impl Drop for Depth<'_> {
    fn drop(&mut self) {
        let r = self.0;
        r.depth.set(r.depth.get() - 1);
        if r.depth.get() == 0 && r.conn.is_autocommit() {
            r.snapshot.set(None);
        }
    }
}

/// Ends the read transactions this thread's `read_now` connections hold. Installed as the HTTP runtime's
/// `on_thread_park` hook: an idle worker holds no snapshot, and from its first park on, the worker keeps
/// one snapshot across the `read_now` calls of a busy stretch instead of beginning and ending a read
/// transaction (two shared-memory lock round trips) per query.
pub fn park_readers() {
    KEEPS_SNAPSHOTS.with(|k| k.set(true));
    LOCAL_READERS.with(|m| {
        if let Ok(m) = m.try_borrow() {
            for (_, r) in m.iter() {
                if r.depth.get() == 0 {
                    r.end_snapshot();
                }
            }
        }
    });
}

/// Marks the end of a writer's transaction (see [`WRITES`]); also publishes its table changes.
fn ended() {
    WRITES.fetch_add(1, Ordering::Release);
    super::changes::publish();
}
/// A job for the writer thread.
enum WriteJob {
    /// Runs alone, managing its own transaction (sessions, `write_blocking`).
    Solo(Box<dyn FnOnce() + Send>),
    /// Runs inside a transaction it may share with other grouped jobs (see `run_group`).
    Grouped(GroupedJob),
}

/// A `Db::write` job: given the open transaction (or why none could be opened), it does its work and
/// says how it went, with the answer to send once the transaction's fate is known.
type GroupedJob = Box<dyn FnOnce(Result<&Tx, StoreError>) -> Outcome + Send>;

/// What a grouped job leaves behind.
struct Outcome {
    /// The job succeeded: its writes stay, pending the shared COMMIT.
    ok: bool,
    /// Sends the job's answer: `Ok(())` once committed (a failed job ignores the argument),
    /// or the reason the shared transaction did not commit.
    answer: Box<dyn FnOnce(Result<(), StoreError>) + Send>,
}

/// At most this many `Db::write` jobs share one transaction.
const MAX_GROUP: usize = 64;

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
                let mut next: Option<WriteJob> = None;
                loop {
                    let job = match next.take() {
                        Some(job) => job,
                        None => match wrx.recv() {
                            Ok(job) => job,
                            Err(_) => break,
                        },
                    };
                    match job {
                        WriteJob::Solo(f) => f(),
                        WriteJob::Grouped(f) => next = run_group(f, &wrx),
                    }
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
    /// which costs more than a point lookup. Long queries belong on `read`. On a thread that calls
    /// [`park_readers`] when idle, consecutive calls share one read transaction while no write ended since
    /// it began and it is younger than `SNAPSHOT_MAX_AGE`; elsewhere each statement reads on its own.
    pub fn read_now<T>(
        &self,
        f: impl FnOnce(&Connection) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let reader = LOCAL_READERS.with(|m| -> Result<Rc<LocalReader>, StoreError> {
            if let Some((_, r)) = m.borrow().iter().find(|(p, _)| *p == self.inner.path) {
                return Ok(r.clone());
            }
            let r = Rc::new(LocalReader {
                conn: open_connection(&self.inner.path, true, self.inner.dev)?,
                snapshot: Cell::new(None),
                depth: Cell::new(0),
            });
            m.borrow_mut().push((self.inner.path.clone(), r.clone()));
            Ok(r)
        })?;
        if reader.depth.get() == 0 && KEEPS_SNAPSHOTS.with(Cell::get) {
            reader.fresh_snapshot();
        }
        reader.depth.set(reader.depth.get() + 1);
        let _depth = Depth(&reader);
        f(&reader.conn)
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

    /// Runs `f` inside a write transaction on the writer thread; after-commit callbacks run once committed,
    /// and only then is the result returned. Writes queued together share one transaction (group commit):
    /// each runs inside its own savepoint, so a failing `f` undoes only its own writes (its after-rollback
    /// callbacks run and its error is returned at once), while a failing COMMIT fails every write of the
    /// group. Must never be called from the writer thread itself (use the open `Tx` instead).
    pub async fn write<T, E, F>(&self, f: F) -> Result<T, E>
    where
        T: Send + 'static,
        E: From<StoreError> + Send + 'static,
        F: FnOnce(&Tx) -> Result<T, E> + Send + 'static,
    {
        let (tx, rx) = oneshot::channel();
        self.send_job(WriteJob::Grouped(Box::new(move |open| {
            let out = match open {
                Ok(t) => f(t),
                Err(e) => Err(E::from(e)),
            };
            match out {
                Ok(v) => Outcome {
                    ok: true,
                    answer: Box::new(move |committed| {
                        let _ = tx.send(committed.map(|()| v).map_err(E::from));
                    }),
                },
                Err(e) => Outcome {
                    ok: false,
                    answer: Box::new(move |_| {
                        let _ = tx.send(Err(e));
                    }),
                },
            }
        })))?;
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
        self.send_job(WriteJob::Solo(Box::new(job)))
    }

    fn send_job(&self, job: WriteJob) -> Result<(), StoreError> {
        if thread::current().id() == self.inner.writer_thread {
            return Err(StoreError::Reentrant);
        }
        self.inner.writer.send(job).map_err(|_| StoreError::Closed)
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
    with_writer(|c| exec_cached(c, "BEGIN IMMEDIATE")).map_err(StoreError::from)?;
    let tx = Tx::begin();
    let out = f(&tx);
    Tx::end();
    match out {
        Ok(v) => {
            if let Err(e) = commit() {
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
            rollback();
            let _ = Tx::take_after_commit();
            Tx::take_after_rollback().into_iter().for_each(|cb| cb());
            Err(e)
        }
    }
}

/// Runs one statement that answers no rows through the statement cache: the transaction steps run for
/// every write (a savepoint per grouped job), and parsing them each time cost more than running them.
fn exec_cached(c: &Connection, sql: &str) -> rusqlite::Result<()> {
    c.prepare_cached(sql)?.execute([]).map(|_| ())
}

/// Commits the open transaction (rolling it back when that fails), then publishes its table changes.
fn commit() -> rusqlite::Result<()> {
    let committed = with_writer(|c| exec_cached(c, "COMMIT"));
    if committed.is_err() {
        let _ = with_writer(|c| exec_cached(c, "ROLLBACK"));
    }
    ended();
    committed
}

/// Rolls the open transaction back, then publishes the tables it wrote (harmless extra bumps).
fn rollback() {
    let _ = with_writer(|c| exec_cached(c, "ROLLBACK"));
    ended();
}

/// A copy of a SQLite error, for answering every job of a group that failed to commit.
fn copy_error(e: &rusqlite::Error) -> StoreError {
    match e {
        rusqlite::Error::SqliteFailure(code, msg) => {
            StoreError::Sqlite(rusqlite::Error::SqliteFailure(*code, msg.clone()))
        }
        other => StoreError::Io(other.to_string()),
    }
}

/// A grouped job that ran and waits for the shared COMMIT.
struct Ran {
    answer: Box<dyn FnOnce(Result<(), StoreError>) + Send>,
    after_commit: Vec<super::tx::Callback>,
    after_rollback: Vec<super::tx::Callback>,
}

/// Group commit: runs `first` and then the grouped jobs already queued behind it (up to `MAX_GROUP`) in one
/// `BEGIN IMMEDIATE … COMMIT`, each but the first inside `SAVEPOINT fb_group`. A failed job is rolled back to its
/// savepoint (the first job: the whole transaction, which ends the group) and answered at once; the others are
/// answered after the COMMIT, each after its own after-commit callbacks.
/// The group ends early at a queued solo job (returned, to run next) and after a job that changed collections
/// (so the committed collection cache is refreshed before the next job runs).
fn run_group(first: GroupedJob, rx: &Receiver<WriteJob>) -> Option<WriteJob> {
    if let Err(e) = with_writer(|c| exec_cached(c, "BEGIN IMMEDIATE")) {
        (first(Err(StoreError::from(e))).answer)(Err(StoreError::RolledBack));
        return None;
    }
    let tx = Tx::begin();
    let mut ran: Vec<Ran> = Vec::new();
    let mut job = first;
    let mut count = 0;
    let leftover = loop {
        count += 1;
        // The first job has the transaction to itself: a failure rolls all of it back, so it needs no
        // savepoint (a savepoint would copy every page the job touches into the statement journal).
        let outcome = if count == 1 {
            let out = job(Ok(&tx));
            if !out.ok {
                let _ = with_writer(|c| exec_cached(c, "ROLLBACK"));
            }
            out
        } else {
            match with_writer(|c| exec_cached(c, "SAVEPOINT fb_group")) {
                Ok(()) => {
                    let mut out = job(Ok(&tx));
                    if out.ok {
                        if let Err(e) = with_writer(|c| exec_cached(c, "RELEASE fb_group")) {
                            let err = StoreError::from(e);
                            out = Outcome {
                                ok: false,
                                answer: Box::new(move |_| (out.answer)(Err(err))),
                            };
                        }
                    }
                    if !out.ok {
                        let _ = with_writer(|c| {
                            c.execute_batch("ROLLBACK TO fb_group; RELEASE fb_group")
                        });
                    }
                    out
                }
                Err(e) => job(Err(StoreError::from(e))),
            }
        };
        let this = Ran {
            answer: outcome.answer,
            after_commit: Tx::take_after_commit(),
            after_rollback: Tx::take_after_rollback(),
        };
        if with_writer(Connection::is_autocommit) {
            // SQLite rolled the whole transaction back on its own: no job of the group keeps its writes
            Tx::end();
            ended();
            for r in ran.into_iter().chain(std::iter::once(this)) {
                r.after_rollback.into_iter().for_each(|cb| cb());
                (r.answer)(Err(StoreError::RolledBack));
            }
            return None;
        }
        if outcome.ok {
            ran.push(this);
        } else {
            this.after_rollback.into_iter().for_each(|cb| cb());
            (this.answer)(Ok(()));
        }
        if count >= MAX_GROUP || !tx.collections_unchanged() {
            break None;
        }
        match rx.try_recv() {
            Ok(WriteJob::Grouped(next)) => job = next,
            Ok(solo) => break Some(solo),
            Err(_) => break None,
        }
    };
    Tx::end();
    match commit() {
        Ok(()) => {
            for r in ran {
                r.after_commit.into_iter().for_each(|cb| cb());
                (r.answer)(Ok(()));
            }
        }
        Err(e) => {
            for r in ran {
                r.after_rollback.into_iter().for_each(|cb| cb());
                (r.answer)(Err(copy_error(&e)));
            }
        }
    }
    leftover
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Mutex;

    /// A database whose writer is held by a solo job until the returned sender is dropped or used,
    /// so the writes queued meanwhile run as one group.
    fn held_db(dir: &Path, schema: &str) -> (Db, std::sync::mpsc::Sender<()>) {
        let db = Db::open(&dir.join("data.db"), 1, false).expect("open");
        let schema = schema.to_string();
        db.write_blocking(move |tx| {
            tx.with(|c| c.execute_batch(&schema))
                .map_err(StoreError::from)
        })
        .expect("schema");
        let (gate, held) = std::sync::mpsc::channel::<()>();
        db.send_write(move || {
            let _ = held.recv();
        })
        .expect("hold");
        (db, gate)
    }

    async fn wait_queued(db: &Db, n: usize) {
        while db.inner.writer.len() < n {
            tokio::time::sleep(std::time::Duration::from_millis(5)).await;
        }
    }

    /// The answers of the spawned writes, in spawn order.
    async fn answers_of<T>(tasks: Vec<tokio::task::JoinHandle<T>>) -> Vec<T> {
        let mut answers = Vec::new();
        for t in tasks {
            answers.push(t.await.expect("task"));
        }
        answers
    }

    fn count(db: &Db, sql: &'static str) -> i64 {
        db.read_blocking(move |c| Ok(c.query_row(sql, [], |r| r.get(0))?))
            .expect("count")
    }

    /// A thread that parks keeps its `read_now` snapshot between calls, yet sees every write that ended
    /// before it reads, a write of another connection once the snapshot is `SNAPSHOT_MAX_AGE` old, and holds
    /// no transaction after it parks.
    #[test]
    fn kept_snapshots_follow_writes_and_end_at_park() {
        let dir = tempfile::tempdir().expect("tmp");
        let db = Db::open(&dir.path().join("data.db"), 1, false).expect("open");
        db.write_blocking(|tx| {
            tx.with(|c| c.execute_batch("CREATE TABLE t (v INTEGER)"))
                .map_err(StoreError::from)
        })
        .expect("schema");
        let n = |db: &Db| -> i64 {
            db.read_now(|c| Ok(c.query_row("SELECT count(*) FROM t", [], |r| r.get(0))?))
                .expect("count")
        };
        let open = |db: &Db| db.read_now(|c| Ok(!c.is_autocommit())).expect("state");
        park_readers();
        assert_eq!(n(&db), 0);
        assert!(open(&db), "the snapshot stays open between calls");
        for i in 1..=3 {
            db.write_blocking(|tx| {
                tx.with(|c| c.execute("INSERT INTO t (v) VALUES (1)", []))
                    .map_err(StoreError::from)
            })
            .expect("insert");
            assert_eq!(n(&db), i, "a write that ended is seen by the next read");
        }
        // nested calls share the outer call's snapshot and leave it open
        let nested = db.read_now(|_| Ok(n(&db) + n(&db))).expect("nested");
        assert_eq!(nested, 6);
        assert!(open(&db));
        // another connection (another process, as far as the writer thread knows) writes
        let other = Connection::open(dir.path().join("data.db")).expect("other");
        other.busy_timeout(Duration::from_secs(5)).expect("busy");
        other
            .execute("INSERT INTO t (v) VALUES (2)", [])
            .expect("other insert");
        std::thread::sleep(SNAPSHOT_MAX_AGE + Duration::from_millis(2));
        assert_eq!(n(&db), 4, "an old snapshot is not reused");
        park_readers();
        let idle = LOCAL_READERS.with(|m| {
            m.borrow()
                .iter()
                .all(|(_, r)| r.conn.is_autocommit() && r.snapshot.get().is_none())
        });
        assert!(idle, "a parked thread holds no read transaction");
    }

    #[tokio::test]
    async fn grouped_writes_keep_their_own_outcomes() {
        let dir = tempfile::tempdir().expect("tmp");
        let (db, gate) = held_db(dir.path(), "CREATE TABLE t (v INTEGER UNIQUE)");
        let log = Arc::new(Mutex::new(Vec::<String>::new()));
        let mut tasks = Vec::new();
        for i in 0..10i64 {
            let (db2, log) = (db.clone(), log.clone());
            tasks.push(tokio::spawn(async move {
                db2.write(move |tx| -> Result<i64, StoreError> {
                    // job 7 collides with job 2's value: a UNIQUE violation, its own failure only
                    let v = if i == 7 { 2 } else { i };
                    tx.with(|c| c.execute("INSERT INTO t (v) VALUES (?1)", [v]))?;
                    log.lock().unwrap().push(format!("ran {i}"));
                    let l = log.clone();
                    tx.after_commit(move || l.lock().unwrap().push(format!("committed {i}")));
                    let l = log.clone();
                    tx.after_rollback(move || l.lock().unwrap().push(format!("undone {i}")));
                    if i == 5 {
                        return Err(StoreError::Corrupt("job 5 fails after writing".into()));
                    }
                    Ok(i * 10)
                })
                .await
            }));
            wait_queued(&db, i as usize + 1).await;
        }
        drop(gate);
        let answers = answers_of(tasks).await;
        for (i, a) in answers.iter().enumerate() {
            match i {
                5 => assert!(matches!(a, Err(StoreError::Corrupt(_))), "{a:?}"),
                7 => assert!(a.as_ref().is_err_and(|e| e.is_unique_violation()), "{a:?}"),
                _ => assert_eq!(a.as_ref().ok(), Some(&(i as i64 * 10))),
            }
        }
        assert_eq!(count(&db, "SELECT count(*) FROM t"), 8);
        assert_eq!(count(&db, "SELECT count(*) FROM t WHERE v = 5"), 0);
        let log = log.lock().unwrap().clone();
        assert!(log.contains(&"undone 5".to_string()), "{log:?}");
        assert!(!log
            .iter()
            .any(|l| l == "committed 5" || l == "ran 7" || l == "undone 7"));
        // one shared transaction: every job ran before the first after-commit callback
        let first_commit = log
            .iter()
            .position(|l| l.starts_with("committed"))
            .expect("commits");
        assert_eq!(
            log[..first_commit]
                .iter()
                .filter(|l| l.starts_with("ran"))
                .count(),
            9
        );
        assert_eq!(log.iter().filter(|l| l.starts_with("committed")).count(), 8);
    }

    /// The first job of a group runs without a savepoint: when it fails, the whole transaction is rolled
    /// back (its writes are gone) and the jobs queued behind it still run and commit.
    #[tokio::test]
    async fn a_failed_first_job_of_a_group_leaves_the_next_ones_alone() {
        let dir = tempfile::tempdir().expect("tmp");
        let (db, gate) = held_db(dir.path(), "CREATE TABLE t (v INTEGER)");
        let undone = Arc::new(Mutex::new(Vec::new()));
        let mut tasks = Vec::new();
        for i in 0..3i64 {
            let (db2, undone) = (db.clone(), undone.clone());
            tasks.push(tokio::spawn(async move {
                db2.write(move |tx| -> Result<i64, StoreError> {
                    tx.with(|c| c.execute("INSERT INTO t (v) VALUES (?1)", [i]))?;
                    tx.after_rollback(move || undone.lock().unwrap().push(i));
                    if i == 0 {
                        return Err(StoreError::Corrupt("job 0 fails after writing".into()));
                    }
                    Ok(i)
                })
                .await
            }));
            wait_queued(&db, i as usize + 1).await;
        }
        drop(gate);
        let answers = answers_of(tasks).await;
        assert!(
            matches!(answers[0], Err(StoreError::Corrupt(_))),
            "{:?}",
            answers[0]
        );
        assert_eq!(answers[1].as_ref().ok(), Some(&1));
        assert_eq!(answers[2].as_ref().ok(), Some(&2));
        assert_eq!(count(&db, "SELECT count(*) FROM t WHERE v = 0"), 0);
        assert_eq!(count(&db, "SELECT count(*) FROM t"), 2);
        assert_eq!(*undone.lock().unwrap(), vec![0]);
    }

    #[tokio::test]
    async fn a_failed_group_commit_fails_every_write_of_the_group() {
        let dir = tempfile::tempdir().expect("tmp");
        let (db, gate) = held_db(
            dir.path(),
            "CREATE TABLE t (v INTEGER);
             CREATE TABLE p (id INTEGER PRIMARY KEY);
             CREATE TABLE ch (pid INTEGER REFERENCES p(id) DEFERRABLE INITIALLY DEFERRED);",
        );
        let undone = Arc::new(Mutex::new(0));
        let mut tasks = Vec::new();
        for i in 0..3 {
            let (db2, undone) = (db.clone(), undone.clone());
            tasks.push(tokio::spawn(async move {
                db2.write(move |tx| -> Result<(), StoreError> {
                    // job 1's dangling reference is only checked at COMMIT
                    let sql = if i == 1 {
                        "INSERT INTO ch (pid) VALUES (99)"
                    } else {
                        "INSERT INTO t (v) VALUES (1)"
                    };
                    tx.with(|c| c.execute(sql, []))?;
                    tx.after_rollback(move || *undone.lock().unwrap() += 1);
                    Ok(())
                })
                .await
            }));
            wait_queued(&db, i + 1).await;
        }
        drop(gate);
        for t in tasks {
            let a = t.await.expect("task");
            assert!(
                matches!(&a, Err(StoreError::Sqlite(e)) if e.to_string().contains("FOREIGN KEY")),
                "{a:?}"
            );
        }
        assert_eq!(*undone.lock().unwrap(), 3);
        assert_eq!(count(&db, "SELECT count(*) FROM t"), 0);
        assert_eq!(count(&db, "SELECT count(*) FROM ch"), 0);
        // the writer goes on
        db.write(|tx| {
            tx.with(|c| c.execute("INSERT INTO t (v) VALUES (2)", []))
                .map_err(StoreError::from)
        })
        .await
        .expect("next write");
        assert_eq!(count(&db, "SELECT count(*) FROM t"), 1);
    }
}
