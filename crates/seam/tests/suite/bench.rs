//! A smoke run of every `seam bench` scenario, so the benchmarks never rot:
//! each runs with a tiny N on a fresh SQLite file and, when
//! `SEAM_TEST_PG_URL` is set, a fresh PostgreSQL schema, and must write its
//! JSON with the expected keys. Times are not asserted.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use crate::bench_support;
use bench_support::{backends, has_keys, read_json, seam, succeeded};

use std::process::Command;

use seam_store::testing::TempDir;
use serde_json::Value;

fn check_common(report: &Value, scenario: &str, levels: usize) {
    assert_eq!(report["scenario"], scenario);
    has_keys(
        report,
        &[
            "runs",
            "invariants",
            "database",
            "temporary_database",
            "seam_version",
        ],
    );
    has_keys(&report["database"], &["backend", "version"]);
    let invariants = &report["invariants"];
    assert_eq!(invariants["trial_balance_balanced"], true);
    assert_eq!(invariants["balances_agree_with_lines"], true);
    assert_eq!(report["runs"].as_array().unwrap().len(), levels);
}

#[tokio::test]
async fn o2c_and_ledger_write_their_json_on_every_backend() {
    let dir = TempDir::new("seam-bench-test").unwrap();
    for (i, db) in backends().await.iter().enumerate() {
        let file = dir.0.join(format!("o2c-{i}.json"));
        let output = seam(
            Some(&db.url),
            &[
                "bench",
                "o2c",
                "--flows",
                "3",
                "--concurrency",
                "1,2",
                "--json",
                file.to_str().unwrap(),
            ],
        );
        succeeded(&output);
        let stdout = String::from_utf8_lossy(&output.stdout);
        assert!(stdout.contains("flows/s"), "{stdout}");
        let report = read_json(&file);
        check_common(&report, "o2c", 2);
        assert_eq!(report["commands_per_flow"], 6);
        for run in report["runs"].as_array().unwrap() {
            has_keys(
                run,
                &[
                    "concurrency",
                    "flows",
                    "seconds",
                    "flows_per_second",
                    "commands_per_second",
                    "p50_ms",
                    "p99_ms",
                ],
            );
            assert_eq!(run["flows"], 3);
        }
        assert_eq!(report["invariants"]["invoices"], 6);
        assert_eq!(report["invariants"]["invoice_numbers_gapless"], true);

        // The database now holds the benchmark's invoices: a second run refuses it.
        let again = seam(Some(&db.url), &["bench", "ledger", "--entries", "1"]);
        assert_eq!(again.status.code(), Some(1), "{again:?}");
        assert!(String::from_utf8_lossy(&again.stderr).contains("empty database"));
    }
    for (i, db) in backends().await.iter().enumerate() {
        let file = dir.0.join(format!("ledger-{i}.json"));
        let output = seam(
            Some(&db.url),
            &[
                "bench",
                "ledger",
                "--entries",
                "5",
                "--concurrency",
                "1,4",
                "--json",
                file.to_str().unwrap(),
            ],
        );
        succeeded(&output);
        let report = read_json(&file);
        check_common(&report, "ledger", 2);
        for run in report["runs"].as_array().unwrap() {
            has_keys(
                run,
                &[
                    "concurrency",
                    "entries",
                    "seconds",
                    "entries_per_second",
                    "p50_ms",
                    "p99_ms",
                ],
            );
        }
        assert_eq!(report["invariants"]["entries"], 10);
        assert_eq!(report["invariants"]["entry_numbers_gapless"], true);
    }
}

#[test]
fn without_a_database_url_it_runs_on_a_temporary_file_and_leaves_nothing() {
    let dir = TempDir::new("seam-bench-default").unwrap();
    let file = dir.0.join("ledger.json");
    let output = Command::new(env!("CARGO_BIN_EXE_seam"))
        .current_dir(&dir.0)
        .args(["bench", "ledger", "--entries", "2", "--concurrency", "1"])
        .arg("--json")
        .arg(&file)
        .env_remove("SEAM_DATABASE_URL")
        .env("RUST_LOG", "warn")
        .output()
        .unwrap();
    succeeded(&output);
    let report = read_json(&file);
    assert_eq!(report["temporary_database"], true);
    assert_eq!(report["database"]["backend"], "sqlite");
    assert_eq!(report["database"]["synchronous"], "FULL");
    assert_eq!(report["database"]["journal_mode"], "wal");
    let left: Vec<_> = std::fs::read_dir(&dir.0)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(left, vec![std::ffi::OsString::from("ledger.json")]);
}
