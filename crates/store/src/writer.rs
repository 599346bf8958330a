//! SQLite's write path: one connection, and group commit.
//!
//! SQLite has one writer at a time, and with `synchronous=FULL` every commit
//! waits for the disk. Committing each command on its own caps throughput at
//! the disk's sync rate however many users wait. So commands that arrive
//! while another one runs join one open transaction, each inside its own
//! savepoint, and the group is committed with one sync when nobody else is
//! waiting (or the group is full).
//!
//! Invariant: a command's [`GroupTx::commit`] returns only after the COMMIT
//! that made its writes durable; when that COMMIT fails, every command of the
//! group gets the error, so nothing is acknowledged that was not written.
//! Invariant: a command that fails or is dropped is rolled back to its own
//! savepoint, so its neighbours in the group are untouched.
//! Invariant: whenever a group is left open with the lock released, some
//! task will still decide about it: a counted waiter that runs next, or a
//! flusher spawned when a waiter gives up or a command is dropped.

use std::ops::{Deref, DerefMut};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};

use sqlx::sqlite::{SqliteConnectOptions, SqliteConnection};
use sqlx::{ConnectOptions, Executor};
use tokio::sync::{Mutex, OwnedMutexGuard, oneshot};

use crate::{Result, StoreError};

/// The most commands one group commits together: bounds how long a group
/// keeps the write lock and how much one failed COMMIT takes down.
const GROUP_MAX: usize = 256;

/// The single write connection of a SQLite database and its open group.
#[derive(Debug)]
pub struct Writer {
    state: Arc<Mutex<WriterState>>,
    /// Commands waiting for the connection: while there are any, a finished
    /// command leaves the group open for them instead of committing.
    waiting: AtomicUsize,
    /// Commands committed and COMMITs run: their ratio is the group size.
    commands: AtomicU64,
    commits: AtomicU64,
}

/// How well commands were grouped so far.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GroupStats {
    pub commands: u64,
    pub commits: u64,
}

#[derive(Debug)]
struct WriterState {
    conn: SqliteConnection,
    /// A transaction is open (BEGIN IMMEDIATE ran, COMMIT not yet).
    open: bool,
    /// The commands whose writes the open transaction holds, waiting for its COMMIT.
    group: Vec<oneshot::Sender<Result<(), String>>>,
    /// A command was dropped inside its savepoint; undo it before anything else.
    abandoned: bool,
}

impl Writer {
    pub(crate) async fn connect(options: &SqliteConnectOptions) -> Result<Arc<Writer>> {
        let conn = options.connect().await?;
        Ok(Arc::new(Writer {
            state: Arc::new(Mutex::new(WriterState {
                conn,
                open: false,
                group: Vec::new(),
                abandoned: false,
            })),
            waiting: AtomicUsize::new(0),
            commands: AtomicU64::new(0),
            commits: AtomicU64::new(0),
        }))
    }

    /// Starts a command: waits for the connection, joins (or opens) the
    /// group's transaction and sets the command's savepoint.
    pub(crate) async fn begin(self: &Arc<Writer>) -> Result<GroupTx> {
        let waiter = Waiter::new(self);
        let guard = self.state.clone().lock_owned().await;
        waiter.arrived();
        let mut tx = GroupTx {
            writer: self.clone(),
            state: guard,
            in_savepoint: false,
            decided: false,
        };
        tx.state.settle().await?;
        if !tx.state.open {
            tx.state.conn.execute("BEGIN IMMEDIATE").await?;
            tx.state.open = true;
        }
        tx.state.conn.execute("SAVEPOINT seam_command").await?;
        tx.in_savepoint = true;
        Ok(tx)
    }

    /// Commands and COMMITs so far (a benchmark reports their ratio).
    pub fn stats(&self) -> GroupStats {
        GroupStats {
            commands: self.commands.load(Ordering::Relaxed),
            commits: self.commits.load(Ordering::Relaxed),
        }
    }

    /// The connection with no group open, for work outside commands:
    /// migrations, and tests that reach into the database directly.
    pub async fn idle(&self) -> Result<IdleConnection> {
        let mut guard = self.state.clone().lock_owned().await;
        guard.settle().await?;
        if guard.open {
            let committed = guard.flush().await;
            self.count_commit(committed);
        }
        Ok(IdleConnection(guard))
    }

    fn count_commit(&self, commands: usize) {
        if commands > 0 {
            self.commits.fetch_add(1, Ordering::Relaxed);
            self.commands.fetch_add(commands as u64, Ordering::Relaxed);
        }
    }

    /// Takes the lock and commits a group that nobody else will.
    fn spawn_flusher(self: &Arc<Writer>) {
        let Ok(runtime) = tokio::runtime::Handle::try_current() else {
            return;
        };
        let writer = self.clone();
        runtime.spawn(async move {
            let mut state = writer.state.clone().lock_owned().await;
            if state.settle().await.is_err() {
                return;
            }
            if state.open && writer.waiting.load(Ordering::SeqCst) == 0 {
                writer.count_commit(state.flush().await);
            }
        });
    }
}

impl WriterState {
    /// Undoes a dropped command's savepoint. When that fails the whole
    /// transaction is gone, and so is every write of the group.
    async fn settle(&mut self) -> Result<()> {
        if !self.abandoned {
            return Ok(());
        }
        self.abandoned = false;
        let undone = self
            .conn
            .execute("ROLLBACK TO seam_command; RELEASE seam_command")
            .await;
        if let Err(err) = undone {
            self.fail_group(&err.to_string()).await;
            return Err(err.into());
        }
        Ok(())
    }

    /// Commits the open transaction and tells every command of the group;
    /// returns how many commands it committed.
    async fn flush(&mut self) -> usize {
        match self.conn.execute("COMMIT").await {
            Ok(_) => {
                self.open = false;
                let committed = self.group.len();
                for member in self.group.drain(..) {
                    let _ = member.send(Ok(()));
                }
                committed
            }
            Err(err) => {
                self.fail_group(&err.to_string()).await;
                0
            }
        }
    }

    async fn fail_group(&mut self, reason: &str) {
        if self.open {
            // A failed COMMIT or a lost savepoint may leave the transaction
            // open or already rolled back; either way none of it stays.
            let _ = self.conn.execute("ROLLBACK").await;
        }
        self.open = false;
        for member in self.group.drain(..) {
            let _ = member.send(Err(reason.to_owned()));
        }
    }
}

/// Counts a command as waiting for the connection until it gets it; one
/// that gives up waiting hands its decision about the group to a flusher.
struct Waiter<'a> {
    writer: &'a Arc<Writer>,
    counted: bool,
}

impl<'a> Waiter<'a> {
    fn new(writer: &'a Arc<Writer>) -> Waiter<'a> {
        writer.waiting.fetch_add(1, Ordering::SeqCst);
        Waiter {
            writer,
            counted: true,
        }
    }

    fn arrived(mut self) {
        self.writer.waiting.fetch_sub(1, Ordering::SeqCst);
        self.counted = false;
    }
}

impl Drop for Waiter<'_> {
    fn drop(&mut self) {
        if self.counted {
            self.writer.waiting.fetch_sub(1, Ordering::SeqCst);
            self.writer.spawn_flusher();
        }
    }
}

/// One command's part of a group transaction. Dropping it without
/// [`GroupTx::commit`] rolls the command back to its savepoint.
#[derive(Debug)]
pub struct GroupTx {
    writer: Arc<Writer>,
    state: OwnedMutexGuard<WriterState>,
    in_savepoint: bool,
    /// The command committed and the group's fate is decided: no flusher needed.
    decided: bool,
}

impl GroupTx {
    /// Releases the command's savepoint and waits until its group is committed.
    pub(crate) async fn commit(mut self) -> Result<()> {
        let (member, committed) = oneshot::channel();
        self.state.conn.execute("RELEASE seam_command").await?;
        self.in_savepoint = false;
        self.state.group.push(member);
        if self.writer.waiting.load(Ordering::SeqCst) == 0 || self.state.group.len() >= GROUP_MAX {
            let committed = self.state.flush().await;
            self.writer.count_commit(committed);
        }
        self.decided = true;
        drop(self);
        match committed.await {
            Ok(Ok(())) => Ok(()),
            Ok(Err(reason)) => Err(StoreError::Commit(reason)),
            Err(_) => Err(StoreError::Commit(
                "the write connection went away".to_owned(),
            )),
        }
    }
}

impl Drop for GroupTx {
    fn drop(&mut self) {
        if self.in_savepoint {
            self.state.abandoned = true;
        }
        if !self.decided {
            // Runs once this guard is released, right after this returns.
            self.writer.spawn_flusher();
        }
    }
}

impl Deref for GroupTx {
    type Target = SqliteConnection;

    fn deref(&self) -> &SqliteConnection {
        &self.state.conn
    }
}

impl DerefMut for GroupTx {
    fn deref_mut(&mut self) -> &mut SqliteConnection {
        &mut self.state.conn
    }
}

/// The write connection with no transaction open, held exclusively.
pub struct IdleConnection(OwnedMutexGuard<WriterState>);

impl Deref for IdleConnection {
    type Target = SqliteConnection;

    fn deref(&self) -> &SqliteConnection {
        &self.0.conn
    }
}

impl DerefMut for IdleConnection {
    fn deref_mut(&mut self) -> &mut SqliteConnection {
        &mut self.0.conn
    }
}

impl IdleConnection {
    /// Closes the connection for good (at shutdown), checkpointing the WAL.
    pub(crate) async fn close(mut self) {
        let _ = self.0.conn.execute("PRAGMA wal_checkpoint(PASSIVE)").await;
    }
}

/// A SQLite transaction: a command in a group, or a read snapshot.
pub enum SqliteTx {
    Group(GroupTx),
    Snapshot(sqlx::Transaction<'static, sqlx::Sqlite>),
}

impl SqliteTx {
    pub(crate) async fn commit(self) -> Result<()> {
        match self {
            SqliteTx::Group(tx) => tx.commit().await,
            SqliteTx::Snapshot(tx) => Ok(tx.commit().await?),
        }
    }
}

impl Deref for SqliteTx {
    type Target = SqliteConnection;

    fn deref(&self) -> &SqliteConnection {
        match self {
            SqliteTx::Group(tx) => tx,
            SqliteTx::Snapshot(tx) => tx,
        }
    }
}

impl DerefMut for SqliteTx {
    fn deref_mut(&mut self) -> &mut SqliteConnection {
        match self {
            SqliteTx::Group(tx) => tx,
            SqliteTx::Snapshot(tx) => tx,
        }
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use crate::testing;
    use crate::{Db, StoreError, Tx};

    fn writer(db: &Db) -> &std::sync::Arc<super::Writer> {
        match db {
            Db::Sqlite { writer, .. } => writer,
            Db::Pg(_) => panic!("SQLite only"),
        }
    }

    async fn put(tx: &mut Tx, name: &str) {
        crate::on_tx!(tx, c => sqlx::query("INSERT INTO settings (name, value) VALUES ($1, 'x')")
            .bind(name)
            .execute(c)
            .await
            .map(drop)
            .unwrap());
    }

    async fn names(db: &Db) -> Vec<String> {
        crate::on_read!(db, p => sqlx::query_scalar("SELECT name FROM settings WHERE name LIKE 'w.%' ORDER BY name")
            .fetch_all(p)
            .await
            .unwrap())
    }

    /// Many concurrent commands share few COMMITs; the failing ones leave
    /// nothing behind and take none of their neighbours with them.
    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn concurrent_commands_are_grouped_and_a_failure_stays_its_own() {
        let t = testing::sqlite().await.unwrap();
        let before = writer(&t.db).stats();
        let mut tasks = Vec::new();
        for n in 0..200 {
            let db = t.db.clone();
            tasks.push(tokio::spawn(async move {
                let mut tx = db.begin().await.unwrap();
                put(&mut tx, &format!("w.{n:03}")).await;
                if n % 7 == 0 {
                    // A command that fails after writing: dropped, not committed.
                    return false;
                }
                tokio::task::yield_now().await;
                tx.commit().await.unwrap();
                true
            }));
        }
        let mut expected = Vec::new();
        for (n, task) in tasks.into_iter().enumerate() {
            if task.await.unwrap() {
                expected.push(format!("w.{n:03}"));
            }
        }
        assert_eq!(names(&t.db).await, expected);
        let after = writer(&t.db).stats();
        let commands = after.commands - before.commands;
        let commits = after.commits - before.commits;
        assert_eq!(commands, expected.len() as u64);
        assert!(
            commits < commands,
            "{commands} commands should share fewer COMMITs, got {commits}"
        );
    }

    /// A command whose future is dropped mid-way (a client went away) is
    /// undone, and the writer goes on serving the others.
    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn a_dropped_command_is_undone_and_the_writer_goes_on() {
        let t = testing::sqlite().await.unwrap();
        let db = t.db.clone();
        let stuck = tokio::spawn(async move {
            let mut tx = db.begin().await.unwrap();
            put(&mut tx, "w.dropped").await;
            tokio::time::sleep(Duration::from_secs(60)).await;
            tx.commit().await.unwrap();
        });
        tokio::time::sleep(Duration::from_millis(100)).await;
        let db = t.db.clone();
        let waiting = tokio::spawn(async move {
            let mut tx = db.begin().await.unwrap();
            put(&mut tx, "w.after").await;
            tx.commit().await.unwrap();
        });
        tokio::time::sleep(Duration::from_millis(100)).await;
        stuck.abort();
        tokio::time::timeout(Duration::from_secs(10), waiting)
            .await
            .expect("the waiting command runs once the dropped one is gone")
            .unwrap();
        assert_eq!(names(&t.db).await, vec!["w.after".to_owned()]);
    }

    /// When the group's COMMIT fails, every command of the group hears it and
    /// none of their writes stays: nothing is acknowledged that was not written.
    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn a_failed_commit_fails_every_command_of_its_group() {
        let t = testing::sqlite().await.unwrap();
        {
            let mut conn = writer(&t.db).idle().await.unwrap();
            sqlx::query(
                "CREATE TABLE w_child (id INTEGER PRIMARY KEY, parent TEXT \
                 REFERENCES settings(name) DEFERRABLE INITIALLY DEFERRED)",
            )
            .execute(&mut *conn)
            .await
            .unwrap();
        }
        // The first command holds the connection until the second is queued,
        // so both land in one group; its dangling reference fails the COMMIT.
        let db = t.db.clone();
        let first = tokio::spawn(async move {
            let mut tx = db.begin().await.unwrap();
            put(&mut tx, "w.first").await;
            crate::on_tx!(&mut tx, c => sqlx::query("INSERT INTO w_child (parent) VALUES ('nobody')")
                .execute(c)
                .await
                .map(drop)
                .unwrap());
            tokio::time::sleep(Duration::from_millis(200)).await;
            tx.commit().await
        });
        tokio::time::sleep(Duration::from_millis(50)).await;
        let db = t.db.clone();
        let second = tokio::spawn(async move {
            let mut tx = db.begin().await.unwrap();
            put(&mut tx, "w.second").await;
            tx.commit().await
        });
        assert!(matches!(first.await.unwrap(), Err(StoreError::Commit(_))));
        assert!(matches!(second.await.unwrap(), Err(StoreError::Commit(_))));
        assert!(names(&t.db).await.is_empty());
        // And the writer still works.
        let mut tx = t.db.begin().await.unwrap();
        put(&mut tx, "w.third").await;
        tx.commit().await.unwrap();
        assert_eq!(names(&t.db).await, vec!["w.third".to_owned()]);
    }
}
