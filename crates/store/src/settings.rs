//! Named settings of the installation (the one-time setup link, the company name).

use crate::{Db, Result, Tx, on_read, on_tx};

pub async fn setting(db: &Db, name: &str) -> Result<Option<String>> {
    const SQL: &str = "SELECT value FROM settings WHERE name = $1";
    Ok(on_read!(db, p => sqlx::query_scalar::<_, String>(SQL).bind(name).fetch_optional(p).await?))
}

pub async fn set_setting(tx: &mut Tx, name: &str, value: &str) -> Result<()> {
    const SQL: &str = "INSERT INTO settings (name, value) VALUES ($1, $2) ON CONFLICT (name) DO UPDATE SET value = excluded.value";
    on_tx!(tx, c => sqlx::query(SQL).bind(name).bind(value).execute(c).await?.rows_affected());
    Ok(())
}

pub async fn delete_setting(tx: &mut Tx, name: &str) -> Result<()> {
    on_tx!(tx, c => sqlx::query("DELETE FROM settings WHERE name = $1").bind(name).execute(c).await?.rows_affected());
    Ok(())
}

/// Every setting whose name starts with `prefix`, in one query.
pub async fn settings_with_prefix(db: &Db, prefix: &str) -> Result<Vec<(String, String)>> {
    const SQL: &str = "SELECT name, value FROM settings WHERE name LIKE $1 ORDER BY name";
    let pattern = format!("{}%", prefix.replace(['%', '_'], ""));
    Ok(
        on_read!(db, p => sqlx::query_as::<_, (String, String)>(SQL).bind(pattern).fetch_all(p).await?),
    )
}
