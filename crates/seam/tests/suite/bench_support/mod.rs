//! What the smoke runs of `seam bench` and `seam generate` share: running the
//! real binary, the databases to run on, and reading the JSON a run wrote.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::process::{Command, Output};

use seam_store::testing::{self, TestDb};
use serde_json::Value;

/// Runs the `seam` binary with `args`, on `url` when given, quietly.
pub fn seam(url: Option<&str>, args: &[&str]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_seam"));
    if let Some(url) = url {
        command.arg("--database-url").arg(url);
    }
    command
        .args(args)
        .env_remove("SEAM_DATABASE_URL")
        .env("RUST_LOG", "warn")
        .output()
        .expect("the seam binary starts")
}

pub fn succeeded(output: &Output) {
    assert!(
        output.status.success(),
        "seam failed:\n{}\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

/// A fresh SQLite database, and a fresh PostgreSQL schema when `SEAM_TEST_PG_URL` is set.
pub async fn backends() -> Vec<TestDb> {
    let mut dbs = vec![testing::sqlite().await.unwrap()];
    if let Some(pg) = testing::postgres().await.unwrap() {
        dbs.push(pg);
    }
    dbs
}

/// Where a scenario runs: `None` is the bench's own temporary SQLite file;
/// PostgreSQL gets a fresh schema (each scenario needs an empty database).
pub async fn targets() -> Vec<Option<TestDb>> {
    let mut out = vec![None];
    if let Some(pg) = testing::postgres().await.unwrap() {
        out.push(Some(pg));
    }
    out
}

pub fn read_json(path: &std::path::Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

pub fn has_keys(value: &Value, keys: &[&str]) {
    for key in keys {
        assert!(value.get(key).is_some(), "no {key} in {value}");
    }
}
