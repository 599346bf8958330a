//! Fresh, isolated databases for tests: a temporary SQLite file, or a new
//! schema on the PostgreSQL server named by `SEAM_TEST_PG_URL`.

use std::str::FromStr;

use sqlx::postgres::PgConnectOptions;
use sqlx::sqlite::SqliteConnectOptions;

use crate::{Db, Result};

/// A migrated, empty database that lives as long as this value (SQLite) or
/// until the test schema is dropped (PostgreSQL).
pub struct TestDb {
    pub db: Db,
    /// The database URL another process (the `seam` binary) can use to reach the same data.
    pub url: String,
    _dir: Option<TempDir>,
}

/// A temporary directory removed on drop.
pub struct TempDir(pub std::path::PathBuf);

impl TempDir {
    pub fn new(prefix: &str) -> std::io::Result<TempDir> {
        let path = std::env::temp_dir().join(format!(
            "{prefix}-{}",
            crate::new_secret().get(..16).unwrap_or("x")
        ));
        std::fs::create_dir_all(&path)?;
        Ok(TempDir(path))
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

pub async fn sqlite() -> Result<TestDb> {
    let dir = TempDir::new("seam-test").map_err(|e| crate::StoreError::Backup(e.to_string()))?;
    let path = dir.0.join("seam.sqlite");
    let url = format!("sqlite://{}", path.display());
    let db = Db::connect_sqlite(SqliteConnectOptions::from_str(&url)?).await?;
    db.migrate().await?;
    Ok(TestDb {
        db,
        url,
        _dir: Some(dir),
    })
}

/// `None` when `SEAM_TEST_PG_URL` is not set (a plain `cargo test` with no services).
pub async fn postgres() -> Result<Option<TestDb>> {
    let Ok(base) = std::env::var("SEAM_TEST_PG_URL") else {
        return Ok(None);
    };
    let schema = format!("t_{}", crate::new_secret().get(..20).unwrap_or("x"));
    let admin = sqlx::PgPool::connect(&base).await?;
    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE SCHEMA {schema}")))
        .execute(&admin)
        .await?;
    admin.close().await;
    let options = PgConnectOptions::from_str(&base)?.options([("search_path", schema.as_str())]);
    let db = Db::connect_pg(options).await?;
    db.migrate().await?;
    let sep = if base.contains('?') { '&' } else { '?' };
    let url = format!("{base}{sep}options=-csearch_path%3D{schema}");
    Ok(Some(TestDb {
        db,
        url,
        _dir: None,
    }))
}
