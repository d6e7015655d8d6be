//! Per-table change counters for caches of committed rows.
//!
//! The writer connection's update hook notes every table a transaction writes; once the transaction has
//! ended (committed or not), each noted table's counter goes up. A cache reads a table's counter BEFORE it
//! reads the rows it keeps, and trusts an entry only while the counter is unchanged: a row read from a
//! snapshot older than a commit is then always stored under an older counter than the one that commit
//! published. Invariants: counters only grow; they are bumped after the COMMIT, never before (a reader
//! could otherwise read the new counter and the old row). Writes the hook cannot see — other processes,
//! SQLite's truncate optimisation (`DELETE FROM t` without `WHERE`) — are not counted: caches bound the
//! age of their entries as well.

use rusqlite::Connection;
use std::cell::RefCell;
use std::collections::HashMap;
use std::sync::{LazyLock, Mutex};

static COUNTERS: LazyLock<Mutex<HashMap<String, u64>>> =
    LazyLock::new(|| Mutex::new(HashMap::new()));

thread_local! {
    /// Tables written by the open transaction of this (writer) thread.
    static TOUCHED: RefCell<Vec<String>> = const { RefCell::new(Vec::new()) };
}

/// The change counter of `table` (0 until a write to it commits).
pub fn counter(table: &str) -> u64 {
    let map = COUNTERS.lock().unwrap_or_else(|p| p.into_inner());
    map.get(table).copied().unwrap_or(0)
}

/// Notes the tables the writer connection `conn` writes (it runs on the writer thread).
pub(crate) fn watch(conn: &Connection) {
    conn.update_hook(Some(
        |_: rusqlite::hooks::Action, _db: &str, table: &str, _rowid: i64| {
            TOUCHED.with(|t| {
                let mut t = t.borrow_mut();
                if !t.iter().any(|x| x == table) {
                    t.push(table.to_string());
                }
            });
        },
    ));
}

/// Bumps the counters of the tables the ended transaction wrote (call right after COMMIT or ROLLBACK).
pub(crate) fn publish() {
    let touched = TOUCHED.with(|t| std::mem::take(&mut *t.borrow_mut()));
    if touched.is_empty() {
        return;
    }
    let mut map = COUNTERS.lock().unwrap_or_else(|p| p.into_inner());
    for table in touched {
        *map.entry(table).or_insert(0) += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counters_move_after_the_transaction_ends() {
        let conn = Connection::open_in_memory().expect("open");
        watch(&conn);
        conn.execute_batch("CREATE TABLE chg_a (v); CREATE TABLE chg_b (v);")
            .expect("schema");
        let (a0, b0) = (counter("chg_a"), counter("chg_b"));
        conn.execute_batch("BEGIN; INSERT INTO chg_a VALUES (1); UPDATE chg_a SET v = 2;")
            .expect("write");
        assert_eq!(counter("chg_a"), a0, "not before the transaction ends");
        conn.execute_batch("COMMIT").expect("commit");
        publish();
        assert_eq!((counter("chg_a"), counter("chg_b")), (a0 + 1, b0));
        conn.execute_batch("DELETE FROM chg_a WHERE v = 2")
            .expect("delete");
        publish();
        assert_eq!(counter("chg_a"), a0 + 2);
        publish();
        assert_eq!(counter("chg_a"), a0 + 2, "nothing written, nothing bumped");
    }
}
