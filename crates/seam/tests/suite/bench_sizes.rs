//! A smoke run of `seam bench sizes` through the real binary, tiny (scale
//! 0.005), on its own temporary SQLite file and, when `SEAM_TEST_PG_URL` is
//! set, a fresh PostgreSQL schema: it must exit 0 and write one JSON object
//! per case with its size, target and whether it was met. Times are not
//! asserted.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use crate::bench_support;
use bench_support::{has_keys, targets};

use std::process::Command;

use seam_store::testing::TempDir;
use serde_json::Value;

#[tokio::test]
async fn sizes_writes_one_case_per_size_with_its_target() {
    let dir = TempDir::new("seam-bench-sizes").unwrap();
    for (i, target) in targets().await.iter().enumerate() {
        let file = dir.0.join(format!("sizes-{i}.json"));
        let mut command = Command::new(env!("CARGO_BIN_EXE_seam"));
        if let Some(db) = target {
            command.arg("--database-url").arg(&db.url);
        }
        let output = command
            .args([
                "bench", "sizes", "--scale", "0.005", "--runs", "2", "--json",
            ])
            .arg(&file)
            .env_remove("SEAM_DATABASE_URL")
            .env("RUST_LOG", "warn")
            .output()
            .expect("the seam binary starts");
        assert!(
            output.status.success(),
            "seam failed:\n{}\n{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
        let stdout = String::from_utf8_lossy(&output.stdout);
        assert!(stdout.contains("customer 360° page"), "{stdout}");
        let report: Value = serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
        assert_eq!(report["scenario"], "sizes");
        has_keys(
            &report,
            &[
                "title",
                "scale",
                "sizes",
                "setup",
                "runs",
                "cases_met",
                "invariants",
                "database",
                "seam_version",
            ],
        );
        has_keys(
            &report["sizes"],
            &[
                "customer_invoices",
                "ledger_lines",
                "stock_count_lines",
                "post_invoices",
                "products",
                "stock_moves",
            ],
        );
        let cases = report["runs"].as_array().unwrap();
        let names: Vec<&str> = cases.iter().map(|c| c["case"].as_str().unwrap()).collect();
        for expected in [
            "customer 360° page",
            "journal list, first page",
            "product list, search by name",
            "product list, search by SKU",
            "stock levels, first page",
            "stock count",
            "post invoices, concurrency 64",
        ] {
            assert!(names.contains(&expected), "no case {expected} in {names:?}");
        }
        for case in cases {
            has_keys(
                case,
                &[
                    "case",
                    "size",
                    "target_ms",
                    "measured",
                    "measured_ms",
                    "met",
                    "p50_ms",
                    "p99_ms",
                ],
            );
            assert!(case["met"].is_boolean());
        }
        assert_eq!(report["invariants"]["trial_balance_balanced"], true);
        assert_eq!(report["invariants"]["balances_agree_with_lines"], true);
        assert_eq!(report["invariants"]["stock_levels_agree_with_moves"], true);
    }
}
