//! `seam price-list …` end to end: the real built binary against a fresh
//! SQLite file and, when `SEAM_TEST_PG_URL` is set, a fresh PostgreSQL
//! schema. A list is created, priced, assigned, exported and imported, a bad
//! file writes nothing, and an order for the customer takes the list's price.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::process::Command;

use seam_app::{Actor, App, parties, products, sales};
use seam_domain::party::PartyDraft;
use seam_domain::product::ProductDraft;
use seam_store::testing::{self, TempDir, TestDb};

#[derive(Debug)]
struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

impl Run {
    fn ok(self) -> Run {
        assert_eq!(self.code, 0, "expected success:\n{self:?}");
        self
    }

    fn failed(self) -> Run {
        assert_ne!(self.code, 0, "expected failure:\n{self:?}");
        self
    }
}

fn seam(db: &TestDb, args: &[&str]) -> Run {
    let output = Command::new(env!("CARGO_BIN_EXE_seam"))
        .arg("--database-url")
        .arg(&db.url)
        .args(args)
        .env_remove("SEAM_DATABASE_URL")
        .env("RUST_LOG", "warn")
        .output()
        .expect("the seam binary runs");
    Run {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

async fn backends() -> Vec<TestDb> {
    let mut dbs = vec![testing::sqlite().await.unwrap()];
    if let Some(pg) = testing::postgres().await.unwrap() {
        dbs.push(pg);
    }
    dbs
}

#[test]
fn help_works_for_every_price_list_subcommand() {
    for sub in [
        "list",
        "show",
        "create",
        "set-price",
        "assign",
        "import",
        "export",
    ] {
        let output = Command::new(env!("CARGO_BIN_EXE_seam"))
            .args(["price-list", sub, "--help"])
            .output()
            .unwrap();
        assert!(output.status.success(), "price-list {sub} --help");
    }
}

#[tokio::test]
async fn a_price_list_is_created_priced_assigned_exported_and_imported() {
    for db in backends().await {
        let app = App::new(db.db.clone());
        let test = Actor::system("test");
        for (sku, price) in [("GEAR", "10.00"), ("BOLT", "0.25")] {
            let draft = ProductDraft {
                sku: sku.into(),
                name: format!("{sku} name"),
                kind: "service".into(),
                unit: "HUR".into(),
                currency: "EUR".into(),
                list_price: price.into(),
                standard_cost: String::new(),
                tax_rate: "S25".into(),
                revenue_account: String::new(),
            };
            products::create_product(&app, &test, &draft).await.unwrap();
        }
        let zurich = parties::create_party(
            &app,
            &test,
            &PartyDraft {
                kind: "company".into(),
                name: "Zürcher Feinmechanik AG".into(),
                is_customer: true,
                ..PartyDraft::default()
            },
        )
        .await
        .unwrap();

        let bad = seam(
            &db,
            &[
                "price-list",
                "create",
                "ch",
                "Switzerland",
                "--currency",
                "CHF",
                "--discount",
                "101",
            ],
        )
        .failed();
        assert!(bad.stderr.contains("discount"), "{bad:?}");
        seam(
            &db,
            &[
                "price-list",
                "create",
                "ch",
                "Switzerland",
                "--currency",
                "CHF",
                "--discount",
                "5",
            ],
        )
        .ok();
        seam(&db, &["price-list", "set-price", "CH", "gear", "9.70"]).ok();
        let refused = seam(&db, &["price-list", "set-price", "CH", "GEAR", "-1"]).failed();
        assert!(refused.stderr.contains("unit_price"), "{refused:?}");
        seam(&db, &["price-list", "assign", &zurich.to_string(), "ch"]).ok();
        let listed = seam(&db, &["price-list", "list"]).ok();
        assert!(listed.stdout.contains("CH"), "{listed:?}");
        let shown = seam(&db, &["price-list", "show", "ch"]).ok();
        // 9.70 less 5 % = 9.215 → 9.22.
        assert!(shown.stdout.contains("9.22"), "{shown:?}");
        assert!(
            shown.stdout.contains("Zürcher Feinmechanik AG"),
            "{shown:?}"
        );

        let dir = TempDir::new("seam-price-list-cli").unwrap();
        let bad = dir.0.join("bad.csv");
        std::fs::write(
            &bad,
            "sku,unit_price,discount_percent\nBOLT,0.30,\nNOPE,1.00,\nGEAR,2.00,150\n",
        )
        .unwrap();
        let refused = seam(&db, &["price-list", "import", "CH", bad.to_str().unwrap()]).failed();
        assert!(refused.stderr.contains("line 3: sku"), "{refused:?}");
        assert!(
            refused.stderr.contains("line 4: discount_percent"),
            "{refused:?}"
        );
        let good = dir.0.join("good.csv");
        std::fs::write(&good, "sku,unit_price,discount_percent\nBOLT,0.30,0\n").unwrap();
        let dry = seam(
            &db,
            &[
                "price-list",
                "import",
                "CH",
                good.to_str().unwrap(),
                "--dry-run",
            ],
        )
        .ok();
        assert!(dry.stdout.contains("1 prices would be set"), "{dry:?}");
        let done = seam(&db, &["price-list", "import", "CH", good.to_str().unwrap()]).ok();
        assert!(done.stdout.contains("set 1 prices"), "{done:?}");
        let export = seam(&db, &["price-list", "export", "CH"]).ok();
        assert_eq!(
            export.stdout,
            "sku,unit_price,discount_percent\nBOLT,0.30,0\nGEAR,9.70,\n"
        );
        let missing = seam(&db, &["price-list", "show", "NOPE"]).failed();
        assert!(missing.stderr.contains("NOPE"), "{missing:?}");

        // An order for the customer, currency left empty, is in CHF at the list's price.
        let input = sales::OrderInput {
            customer: Some(zurich),
            order_date: "2026-03-02".into(),
            currency: String::new(),
            lines: vec![sales::LineInput {
                product: "GEAR".into(),
                qty: "2".into(),
                unit_price: String::new(),
            }],
        };
        let order = sales::create_order(&app, &test, &input).await.unwrap();
        let detail = sales::order_detail(&app, &test, order).await.unwrap();
        assert_eq!(detail.order.currency, "CHF");
        assert_eq!(detail.lines[0].unit_price_minor, 922);

        seam(
            &db,
            &["price-list", "assign", &zurich.to_string(), "--none"],
        )
        .ok();
        let shown = seam(&db, &["price-list", "show", "CH"]).ok();
        assert!(!shown.stdout.contains("Zürcher"), "{shown:?}");
    }
}
