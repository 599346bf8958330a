//! Seam's storage: one schema on SQLite (embedded, the default) and on
//! PostgreSQL (for several app nodes), and the operations the app layer
//! runs inside its transactions.
//!
//! Both backends run the same SQL text where the dialects agree (`$1`
//! placeholders work on both); the two differ only in migrations, full-text
//! search and how a write transaction starts. The [`on_tx!`] and [`on_read!`]
//! macros write a query once and compile it for each backend's typed pool, so
//! there is no `Any` driver and no loss of types.
//!
//! Invariant: SQL is only ever built from static text and bound parameters.
//! Invariant: every write runs inside a [`Tx`] that the caller commits; nothing
//! here commits on its own, so a command is all-or-nothing.
//! Invariant: the audit chain is appended under a lock on its head row, so
//! sequence numbers are gapless and hashes form one chain on both backends.
#![deny(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::todo,
    clippy::await_holding_lock
)]
// Tests state their expectations with unwrap and indexing; a panic there is a failed test.
#![cfg_attr(
    test,
    allow(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic,
        clippy::indexing_slicing
    )
)]

pub mod access_requests;
pub mod appointments;
pub mod backup;
pub mod crm;
pub mod events;
pub mod generate;
pub mod hr;
pub mod idempotency;
pub mod invoices;
pub mod it;
pub mod jobs;
pub mod knowledge;
pub mod ledger;
pub mod marketing;
pub mod notifications;
pub mod parties;
pub mod payroll;
pub mod price_lists;
pub mod products;
pub mod quotes;
pub mod reception;
pub mod sales;
pub mod sessions;
pub mod settings;
pub mod shipments;
pub mod sla;
pub mod stock;
pub mod testing;
pub mod ticket_mail;
pub mod tickets;
pub mod tokens;
pub mod users;
pub mod writer;

use std::str::FromStr;
use std::time::Duration;

use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};
use sqlx::{Postgres, Transaction};

use crate::writer::{SqliteTx, Writer};

/// Runs `$body` with `$c` bound to the transaction's connection, compiled once per backend.
#[macro_export]
macro_rules! on_tx {
    ($tx:expr, $c:ident => $body:expr) => {
        match $tx {
            $crate::Tx::Sqlite(t) => {
                let $c = &mut **t;
                $body
            }
            $crate::Tx::Pg(t) => {
                let $c = &mut **t;
                $body
            }
        }
    };
}

/// Runs `$body` with `$p` bound to the pool that serves reads.
#[macro_export]
macro_rules! on_read {
    ($db:expr, $p:ident => $body:expr) => {{
        $crate::count_read();
        match $db {
            $crate::Db::Sqlite { read, .. } => {
                let $p = read;
                $body
            }
            $crate::Db::Pg(pool) => {
                let $p = pool;
                $body
            }
        }
    }};
}

/// The row `select` finds with `{alias}.id = id`, inside a write
/// transaction. On PostgreSQL it stays locked until commit with `FOR NO KEY
/// UPDATE`, which (unlike `FOR UPDATE`) never blocks another transaction's
/// foreign-key check on that row; SQLite's single writer needs no lock.
pub(crate) async fn locked_row<T>(tx: &mut Tx, select: &str, alias: &str, id: i64) -> Result<T>
where
    T: for<'r> sqlx::FromRow<'r, sqlx::sqlite::SqliteRow>
        + for<'r> sqlx::FromRow<'r, sqlx::postgres::PgRow>
        + Send
        + Unpin,
{
    let row = match tx {
        Tx::Sqlite(t) => {
            let sql = sqlx::AssertSqlSafe(format!("{select} WHERE {alias}.id = $1"));
            sqlx::query_as::<_, T>(sql)
                .bind(id)
                .fetch_optional(&mut **t)
                .await?
        }
        Tx::Pg(t) => {
            let sql = sqlx::AssertSqlSafe(format!(
                "{select} WHERE {alias}.id = $1 FOR NO KEY UPDATE OF {alias}"
            ));
            sqlx::query_as::<_, T>(sql)
                .bind(id)
                .fetch_optional(&mut **t)
                .await?
        }
    };
    row.ok_or(StoreError::NotFound)
}

/// How many reads [`on_read!`] has run in this process: lets a test prove
/// that a page costs the same number of queries whatever the data behind it.
static READS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

#[doc(hidden)]
pub fn count_read() {
    READS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
}

/// The number of reads run so far in this process.
pub fn reads() -> u64 {
    READS.load(std::sync::atomic::Ordering::Relaxed)
}

/// SQLite waits this long for the write lock before giving up with "busy".
const SQLITE_BUSY_TIMEOUT: Duration = Duration::from_secs(10);
const SQLITE_READERS_MAX: u32 = 8;
const PG_CONNECTIONS_MAX: u32 = 16;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("not found")]
    NotFound,
    /// A unique constraint refused the row (a duplicate username, a reused key).
    #[error("already exists")]
    Duplicate,
    /// The row changed since the caller read it (optimistic concurrency).
    #[error("changed by someone else")]
    Stale,
    /// A group commit on SQLite failed: this command's writes were not kept.
    #[error("the write was not committed: {0}")]
    Commit(String),
    /// A guarded stock update found too little: on hand would go below zero
    /// or below what is reserved, or a reservation exceeds what is available.
    #[error("not enough stock")]
    InsufficientStock,
    /// The database holds something the code cannot read: a programmer error.
    #[error("corrupt data: {0}")]
    Corrupt(String),
    #[error("unsupported database url: {0}")]
    BadUrl(String),
    #[error(transparent)]
    Db(#[from] sqlx::Error),
    #[error(transparent)]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("backup: {0}")]
    Backup(String),
}

impl StoreError {
    /// Turns a unique violation into [`StoreError::Duplicate`], leaving other errors alone.
    pub fn from_insert(err: sqlx::Error) -> StoreError {
        match err.as_database_error().map(|e| e.kind()) {
            Some(sqlx::error::ErrorKind::UniqueViolation) => StoreError::Duplicate,
            _ => StoreError::Db(err),
        }
    }
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// Which backend, for the few places (reports, docs) that say so.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// A connection to Seam's database.
#[derive(Debug, Clone)]
pub enum Db {
    /// One writer connection that commits concurrent commands in groups
    /// (see [`writer`]; SQLite serialises writers anyway, and one connection
    /// avoids busy errors) and a pool of readers, which WAL lets run alongside it.
    Sqlite {
        writer: std::sync::Arc<Writer>,
        read: SqlitePool,
    },
    Pg(PgPool),
}

/// A write transaction. Dropping it without [`Tx::commit`] rolls back.
pub enum Tx {
    Sqlite(Audited<SqliteTx>),
    Pg(Audited<Transaction<'static, Postgres>>),
}

/// A transaction and the audit events its command recorded, which are
/// appended to the chain only at commit: the chain's head is then locked for
/// the shortest time (one batch of rows right before COMMIT), and a command
/// that records several changes moves the head once.
pub struct Audited<T> {
    inner: T,
    pub(crate) pending: Vec<events::PendingEvent>,
}

impl<T> Audited<T> {
    fn new(inner: T) -> Audited<T> {
        Audited {
            inner,
            pending: Vec::new(),
        }
    }
}

impl<T: std::ops::DerefMut> std::ops::Deref for Audited<T> {
    type Target = T::Target;

    fn deref(&self) -> &T::Target {
        &self.inner
    }
}

impl<T: std::ops::DerefMut> std::ops::DerefMut for Audited<T> {
    fn deref_mut(&mut self) -> &mut T::Target {
        &mut self.inner
    }
}

impl Tx {
    /// Appends the recorded audit events, then commits.
    pub async fn commit(mut self) -> Result<()> {
        let pending = std::mem::take(self.pending_mut());
        if !pending.is_empty() {
            events::append_pending(&mut self, &pending, now_us()).await?;
        }
        match self {
            Tx::Sqlite(t) => t.inner.commit().await?,
            Tx::Pg(t) => t.inner.commit().await?,
        }
        Ok(())
    }

    fn pending_mut(&mut self) -> &mut Vec<events::PendingEvent> {
        match self {
            Tx::Sqlite(t) => &mut t.pending,
            Tx::Pg(t) => &mut t.pending,
        }
    }
}

impl Db {
    /// Connects to `sqlite://PATH` (created when missing) or `postgres://…`.
    pub async fn connect(url: &str) -> Result<Db> {
        if url.starts_with("sqlite:") {
            let options = SqliteConnectOptions::from_str(url)?;
            Db::connect_sqlite(options).await
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            Db::connect_pg(PgConnectOptions::from_str(url)?).await
        } else {
            Err(StoreError::BadUrl(
                "expected sqlite://PATH or postgres://USER@HOST/DATABASE".to_owned(),
            ))
        }
    }

    pub async fn connect_sqlite(options: SqliteConnectOptions) -> Result<Db> {
        let options = options
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Full)
            .foreign_keys(true)
            .busy_timeout(SQLITE_BUSY_TIMEOUT);
        let writer = Writer::connect(&options).await?;
        let read = SqlitePoolOptions::new()
            .max_connections(SQLITE_READERS_MAX)
            .connect_with(options.read_only(true))
            .await?;
        Ok(Db::Sqlite { writer, read })
    }

    pub async fn connect_pg(options: PgConnectOptions) -> Result<Db> {
        let pool = PgPoolOptions::new()
            .max_connections(PG_CONNECTIONS_MAX)
            .acquire_timeout(Duration::from_secs(10))
            .connect_with(options)
            .await?;
        Ok(Db::Pg(pool))
    }

    pub fn backend(&self) -> Backend {
        match self {
            Db::Sqlite { .. } => Backend::Sqlite,
            Db::Pg(_) => Backend::Postgres,
        }
    }

    /// Brings the schema up to date; safe to run at every start.
    pub async fn migrate(&self) -> Result<()> {
        match self {
            Db::Sqlite { writer, .. } => {
                let mut conn = writer.idle().await?;
                sqlx::migrate!("./migrations/sqlite")
                    .run(&mut *conn)
                    .await?
            }
            Db::Pg(pool) => sqlx::migrate!("./migrations/postgres").run(pool).await?,
        }
        Ok(())
    }

    /// Starts a write transaction. On SQLite it joins the writer's group
    /// transaction, which took the write lock at once (`BEGIN IMMEDIATE`), so a
    /// transaction never fails half-way on an upgrade; its commit returns once
    /// the group's COMMIT is durable.
    pub async fn begin(&self) -> Result<Tx> {
        Ok(match self {
            Db::Sqlite { writer, .. } => {
                Tx::Sqlite(Audited::new(SqliteTx::Group(writer.begin().await?)))
            }
            Db::Pg(pool) => Tx::Pg(Audited::new(pool.begin().await?)),
        })
    }

    /// Starts a read-only transaction that sees one consistent state of the
    /// whole database until it ends (WAL snapshot on SQLite, REPEATABLE READ on
    /// PostgreSQL). Dropping it ends it; it writes nothing.
    pub async fn begin_snapshot(&self) -> Result<Tx> {
        Ok(match self {
            Db::Sqlite { read, .. } => {
                Tx::Sqlite(Audited::new(SqliteTx::Snapshot(read.begin().await?)))
            }
            Db::Pg(pool) => {
                let mut tx = pool.begin().await?;
                sqlx::query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
                    .execute(&mut *tx)
                    .await?;
                Tx::Pg(Audited::new(tx))
            }
        })
    }

    /// True when the database answers a trivial query.
    pub async fn ping(&self) -> bool {
        on_read!(self, p => sqlx::query("SELECT 1").execute(p).await.is_ok())
    }

    pub async fn close(&self) {
        match self {
            Db::Sqlite { writer, read } => {
                read.close().await;
                if let Ok(conn) = writer.idle().await {
                    conn.close().await;
                }
            }
            Db::Pg(pool) => pool.close().await,
        }
    }
}

/// Microseconds since the Unix epoch: how every timestamp is stored, on both backends.
pub fn now_us() -> i64 {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    i64::try_from(now.as_micros()).unwrap_or(i64::MAX)
}

/// SHA-256 of a secret, hex: how session ids and API tokens are stored, so a
/// database dump reveals no usable credential.
pub fn secret_hash(secret: &str) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(secret.as_bytes()))
}

/// A fresh random secret of 32 bytes, hex.
pub fn new_secret() -> String {
    use rand::RngCore;
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    hex::encode(bytes)
}
