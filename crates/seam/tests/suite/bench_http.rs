//! A smoke run of `seam bench http` and `seam bench memory`: tiny (one second
//! per page, four connections, a small data set) through the real binary, on
//! a temporary SQLite file and, when `SEAM_TEST_PG_URL` is set, a fresh
//! PostgreSQL schema. Each must exit 0 and write its JSON with the expected
//! keys. Times are not asserted. Skipped, with a notice, when `wrk` is not
//! installed (scripts/test installs it).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use crate::bench_support;
use bench_support::{has_keys, read_json, seam, succeeded};

use std::process::Command;

use seam_store::testing::{self, TempDir};
use serde_json::Value;

fn wrk_installed() -> bool {
    let found = Command::new("wrk").arg("--version").output().is_ok();
    if !found {
        eprintln!(
            "wrk is not installed (apt-get install wrk): skipping the seam bench http and memory runs"
        );
    }
    found
}

fn check_memory(report: &Value) {
    for when in ["before_load", "after_load"] {
        let memory = &report["memory"][when];
        has_keys(memory, &["rss_kib", "hwm_kib", "rss_mib", "hwm_mib"]);
        if cfg!(target_os = "linux") {
            assert!(memory["rss_kib"].as_u64().unwrap() > 0, "{report}");
            assert!(
                memory["hwm_kib"].as_u64().unwrap() >= memory["rss_kib"].as_u64().unwrap(),
                "{report}"
            );
        }
    }
}

fn check(report: &Value, scenario: &str, customers: u64) {
    assert_eq!(report["scenario"], scenario);
    has_keys(
        report,
        &[
            "duration_seconds",
            "connections",
            "threads",
            "data_set",
            "runs",
            "memory",
            "database",
            "temporary_database",
            "seam_version",
            "wrk_version",
        ],
    );
    assert_eq!(report["duration_seconds"], 1);
    assert_eq!(report["connections"], 4);
    has_keys(&report["database"], &["backend", "version"]);
    let data = &report["data_set"];
    has_keys(data, &["source", "customers", "parties", "customer_id"]);
    assert!(data["customers"].as_u64().unwrap() >= customers, "{data}");
    let runs = report["runs"].as_array().unwrap();
    let targets: Vec<&str> = runs.iter().map(|r| r["target"].as_str().unwrap()).collect();
    assert_eq!(targets, ["party_page", "party_list", "api_party_list"]);
    for run in runs {
        has_keys(
            run,
            &[
                "path",
                "requests",
                "seconds",
                "requests_per_second",
                "p50_ms",
                "p90_ms",
                "p99_ms",
                "max_ms",
                "errors",
            ],
        );
        assert!(run["requests"].as_u64().unwrap() > 0, "{run}");
        assert_eq!(run["errors"], 0, "{run}");
    }
    assert_eq!(
        runs[0]["path"],
        format!("/parties/{}", data["customer_id"]).as_str()
    );
    check_memory(report);
}

const TINY: [&str; 6] = ["--duration", "1", "--connections", "4", "--customers", "60"];

#[test]
fn http_and_memory_write_their_json_on_a_temporary_sqlite_file() {
    if !wrk_installed() {
        return;
    }
    let dir = TempDir::new("seam-bench-http").unwrap();
    for scenario in ["http", "memory"] {
        let file = dir.0.join(format!("{scenario}.json"));
        let mut args = vec!["bench", scenario];
        args.extend(TINY);
        args.extend(["--json", file.to_str().unwrap()]);
        let output = seam(None, &args);
        succeeded(&output);
        let stdout = String::from_utf8_lossy(&output.stdout);
        assert!(stdout.contains("server memory before the load"), "{stdout}");
        if scenario == "http" {
            assert!(stdout.contains("p99 ms"), "{stdout}");
        }
        let report = read_json(&file);
        check(&report, scenario, 60);
        assert_eq!(report["temporary_database"], true);
        assert_eq!(report["database"]["backend"], "sqlite");
    }
}

#[tokio::test]
async fn http_runs_on_an_empty_postgres_database_and_refuses_it_afterwards() {
    if !wrk_installed() {
        return;
    }
    let Some(db) = testing::postgres().await.unwrap() else {
        eprintln!("SEAM_TEST_PG_URL is not set: skipping the PostgreSQL run");
        return;
    };
    db.db.close().await;
    let dir = TempDir::new("seam-bench-http-pg").unwrap();
    let file = dir.0.join("http.json");
    let mut args = vec!["bench", "http"];
    args.extend(TINY);
    args.extend(["--json", file.to_str().unwrap()]);
    succeeded(&seam(Some(&db.url), &args));
    let report = read_json(&file);
    check(&report, "http", 60);
    assert_eq!(report["temporary_database"], false);
    assert_eq!(report["database"]["backend"], "postgres");

    // The data set and the benchmark's login are there now: a second run refuses.
    let again = seam(Some(&db.url), &args);
    assert_eq!(again.status.code(), Some(1), "{again:?}");
    assert!(String::from_utf8_lossy(&again.stderr).contains("empty database"));
}

#[test]
fn without_wrk_it_says_how_to_install_it() {
    let empty = TempDir::new("seam-bench-no-wrk").unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_seam"))
        .args(["bench", "http", "--duration", "1"])
        .env("PATH", &empty.0)
        .env_remove("SEAM_DATABASE_URL")
        .env("RUST_LOG", "warn")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1), "{output:?}");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("apt-get install wrk"), "{stderr}");
}
