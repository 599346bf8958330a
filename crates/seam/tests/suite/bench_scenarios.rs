//! A smoke run of `seam generate` and of the read-path bench scenarios
//! (`reports`, `search`, `import`) through the real binary, tiny, on a fresh
//! SQLite file and, when `SEAM_TEST_PG_URL` is set, a fresh PostgreSQL
//! schema: each must exit 0 and write its JSON with the expected keys.
//! Times are not asserted.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use crate::bench_support;
use bench_support::{backends, has_keys, seam, succeeded, targets};

use seam_store::testing::TempDir;
use serde_json::Value;

/// Runs `seam bench ARGS --json FILE` and returns the JSON it wrote.
fn bench(url: Option<&str>, dir: &TempDir, name: &str, args: &[&str]) -> Value {
    let file = dir.0.join(format!("{name}.json"));
    let mut all = vec!["bench"];
    all.extend_from_slice(args);
    all.extend_from_slice(&["--json", file.to_str().unwrap()]);
    succeeded(&seam(url, &all));
    let report: Value = serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    has_keys(
        &report,
        &[
            "scenario",
            "title",
            "runs",
            "invariants",
            "database",
            "temporary_database",
            "seam_version",
        ],
    );
    has_keys(&report["database"], &["backend", "version"]);
    report
}

fn check_latencies(report: &Value, kinds: usize) {
    let runs = report["runs"].as_array().unwrap();
    assert_eq!(runs.len(), kinds);
    for run in runs {
        has_keys(
            run,
            &["name", "runs", "p50_ms", "p99_ms", "mean_ms", "max_ms"],
        );
    }
}

#[tokio::test]
async fn generate_fills_an_empty_database_and_refuses_a_filled_one() {
    for db in backends().await {
        let out = seam(
            Some(&db.url),
            &["generate", "--customers", "50", "--seed", "3"],
        );
        succeeded(&out);
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(text.contains("customers"), "{text}");
        let again = seam(Some(&db.url), &["generate", "--customers", "50"]);
        assert!(!again.status.success());
        assert!(
            String::from_utf8_lossy(&again.stderr).contains("empty database"),
            "{}",
            String::from_utf8_lossy(&again.stderr)
        );
        succeeded(&seam(Some(&db.url), &["audit", "verify"]));
    }
}

#[tokio::test]
async fn reports_search_and_import_write_their_json_on_every_backend() {
    let dir = TempDir::new("seam-bench-scenarios").unwrap();
    for (i, target) in targets().await.iter().enumerate() {
        let url = target.as_ref().map(|db| db.url.as_str());
        let reports = bench(
            url,
            &dir,
            &format!("reports-{i}"),
            &["reports", "--postings", "2000", "--runs", "3"],
        );
        assert_eq!(reports["scenario"], "reports");
        check_latencies(&reports, 4);
        has_keys(&reports, &["postings", "data_set", "generate_seconds"]);
        assert_eq!(reports["invariants"]["trial_balance_balanced"], true);
        assert_eq!(reports["invariants"]["aging_equals_open_invoices"], true);
    }
    for (i, target) in targets().await.iter().enumerate() {
        let url = target.as_ref().map(|db| db.url.as_str());
        let search = bench(
            url,
            &dir,
            &format!("search-{i}"),
            &["search", "--parties", "500", "--runs", "3"],
        );
        assert_eq!(search["scenario"], "search");
        check_latencies(&search, 6);
        assert_eq!(search["parties"], 500);
    }
    for (i, target) in targets().await.iter().enumerate() {
        let url = target.as_ref().map(|db| db.url.as_str());
        let import = bench(
            url,
            &dir,
            &format!("import-{i}"),
            &["import", "--parties", "500"],
        );
        assert_eq!(import["scenario"], "import");
        assert_eq!(import["parties"], 500);
        for run in import["runs"].as_array().unwrap() {
            has_keys(run, &["name", "seconds", "rows_per_second"]);
        }
        assert_eq!(import["invariants"]["all_rows_stored"], true);
    }
}
