//! The CRM from the `seam` binary end to end, against a fresh SQLite file
//! and, when `SEAM_TEST_PG_URL` is set, a fresh PostgreSQL schema: leads
//! added twice are found as duplicates and merged, qualified into a customer
//! and an opportunity, moved, forecast and won into a quote; bad input names
//! the option and writes nothing; an import is all or nothing.

use std::process::Command;

use seam_store::backup::{self, TABLES};
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
        assert_eq!(self.code, 1, "expected exit code 1:\n{self:?}");
        assert!(!self.stderr.contains("panicked"), "{self:?}");
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
        .expect("the seam binary starts");
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

async fn row_count(db: &TestDb, name: &str) -> usize {
    let table = TABLES.iter().find(|t| t.name == name).unwrap();
    backup::table_rows(&db.db, table).await.unwrap().len()
}

/// The word after `prefix` in `text`, trailing punctuation dropped.
fn word_after(text: &str, prefix: &str) -> String {
    let start = text
        .find(prefix)
        .unwrap_or_else(|| panic!("no {prefix:?} in {text}"))
        + prefix.len();
    text[start..]
        .split_whitespace()
        .next()
        .unwrap()
        .trim_end_matches(',')
        .to_owned()
}

const PRODUCTS_CSV: &str = "sku,name,kind,unit,list_price,currency,standard_cost,tax_rate,revenue_account\n\
    FORK-1,Electric forklift,goods,C62,6000.00,EUR,4000,S25,\n";

#[tokio::test]
async fn a_lead_is_merged_qualified_forecast_and_won_from_the_cli() {
    for db in backends().await {
        let dir = TempDir::new("seam-cli-crm").unwrap();
        let products = dir.0.join("products.csv");
        std::fs::write(&products, PRODUCTS_CSV).unwrap();
        seam(&db, &["product", "import", products.to_str().unwrap()]).ok();
        seam(&db, &["user", "add", "sara", "--role", "sales"]).ok();

        let first = seam(
            &db,
            &[
                "lead",
                "add",
                "--name",
                "Anna Berg",
                "--company",
                "Berg Logistik AB",
                "--email",
                "anna@berg-logistik.se",
            ],
        )
        .ok()
        .stdout
        .trim()
        .to_owned();
        let second = seam(
            &db,
            &[
                "lead",
                "add",
                "--name",
                "anna berg",
                "--email",
                "ANNA@Berg-Logistik.se",
                "--phone",
                "+46 70 123 45 67",
            ],
        )
        .ok()
        .stdout;
        assert!(
            second.contains(&format!(
                "possible duplicate: lead {first} Anna Berg (email, name)"
            )),
            "{second}"
        );
        let second = second.lines().next().unwrap().trim().to_owned();

        // A bad lead names the option and writes nothing.
        let refused = seam(
            &db,
            &["lead", "add", "--name", " ", "--email", "anna at berg"],
        )
        .failed();
        assert!(refused.stderr.contains("--name: "), "{refused:?}");
        assert!(refused.stderr.contains("--email: "), "{refused:?}");
        assert_eq!(row_count(&db, "leads").await, 2);

        let list = seam(&db, &["lead", "list", "--state", "open"]).ok().stdout;
        assert!(
            list.contains("anna berg") && list.contains("Anna Berg"),
            "{list}"
        );

        seam(&db, &["lead", "merge", &first, &second]).ok();
        let shown = seam(&db, &["lead", "show", &second]).ok().stdout;
        assert!(shown.contains(&format!("into lead {first}")), "{shown}");
        let kept = seam(&db, &["lead", "show", &first]).ok().stdout;
        assert!(kept.contains("+46701234567"), "{kept}");

        // A bad qualification names the options and makes no party.
        let refused = seam(
            &db,
            &[
                "lead",
                "qualify",
                &first,
                "--title",
                "Two forklifts",
                "--amount",
                "12000",
                "--currency",
                "EUR",
                "--close",
                "2026-13-40",
                "--owner",
                "sara",
                "--line",
                "NOPE-9:0",
            ],
        )
        .failed();
        assert!(refused.stderr.contains("--close: "), "{refused:?}");
        assert!(refused.stderr.contains("--line 1 product: "), "{refused:?}");
        assert!(refused.stderr.contains("--line 1 qty: "), "{refused:?}");
        let unknown = seam(
            &db,
            &[
                "lead",
                "qualify",
                &first,
                "--title",
                "Two forklifts",
                "--amount",
                "12000",
                "--currency",
                "EUR",
                "--close",
                "2026-12-31",
                "--owner",
                "nobody",
            ],
        )
        .failed();
        assert!(unknown.stderr.contains("--owner: "), "{unknown:?}");
        assert_eq!(row_count(&db, "parties").await, 0);
        assert_eq!(row_count(&db, "opportunities").await, 0);

        let qualified = seam(
            &db,
            &[
                "lead",
                "qualify",
                &first,
                "--title",
                "Two forklifts",
                "--amount",
                "12000",
                "--currency",
                "EUR",
                "--close",
                "2026-12-31",
                "--owner",
                "sara",
                "--line",
                "fork-1:2",
            ],
        )
        .ok()
        .stdout;
        assert!(qualified.contains(", contact "), "{qualified}");
        let opportunity = word_after(&qualified, "opportunity ");
        assert_eq!(row_count(&db, "parties").await, 2);

        let open = seam(&db, &["opportunity", "list", "--open"]).ok().stdout;
        assert!(open.contains("Two forklifts"), "{open}");
        assert!(open.contains("12000.00"), "{open}");
        seam(&db, &["opportunity", "stage", &opportunity, "proposal"]).ok();
        let refused = seam(&db, &["opportunity", "stage", &opportunity, "won"]).failed();
        assert!(refused.stderr.starts_with("error: "), "{refused:?}");

        let table = seam(&db, &["forecast"]).ok().stdout;
        let row = table.lines().nth(1).unwrap_or_else(|| panic!("{table}"));
        for cell in ["2026-12", "sara", "EUR", "12000.00", "6000.00"] {
            assert!(row.contains(cell), "{cell} in {table}");
        }
        let json: serde_json::Value =
            serde_json::from_str(&seam(&db, &["forecast", "--format", "json"]).ok().stdout)
                .unwrap();
        assert_eq!(json["rows"][0]["weighted_minor"], 600_000);
        assert_eq!(json["rows"][0]["weighted"], "6000.00");
        assert_eq!(json["rows"][0]["count"], 1);
        let csv = seam(&db, &["forecast", "--format", "csv"]).ok().stdout;
        assert!(
            csv.starts_with("month,owner,currency,count,pipeline,weighted\n"),
            "{csv}"
        );

        let won = seam(&db, &["opportunity", "win", &opportunity]).ok().stdout;
        let quote = word_after(&won, "draft quote ");
        let shown = seam(&db, &["opportunity", "show", &opportunity])
            .ok()
            .stdout;
        assert!(shown.contains(&format!("quote     {quote}")), "{shown}");
        assert!(shown.contains("FORK-1"), "{shown}");
        assert_eq!(row_count(&db, "sales_quotes").await, 1);
        seam(&db, &["opportunity", "win", &opportunity]).failed();
        let refused = seam(&db, &["opportunity", "lose", &opportunity, "--reason", " "]).failed();
        assert!(refused.stderr.contains("--reason: "), "{refused:?}");
        let forecast = seam(&db, &["forecast"]).ok().stdout;
        assert_eq!(forecast.lines().count(), 1, "{forecast}");
    }
}

#[tokio::test]
async fn a_lead_import_is_all_or_nothing_from_the_cli() {
    for db in backends().await {
        let dir = TempDir::new("seam-cli-crm-import").unwrap();
        let bad = dir.0.join("bad.csv");
        std::fs::write(
            &bad,
            "name,company,email\nBo Ek,Ek AB,bo@ek.example\nCecilia Lund,,not-an-address\n",
        )
        .unwrap();
        let refused = seam(&db, &["lead", "import", bad.to_str().unwrap()]).failed();
        assert!(refused.stderr.contains("line 3: email: "), "{refused:?}");
        assert_eq!(row_count(&db, "leads").await, 0);

        seam(
            &db,
            &[
                "lead",
                "add",
                "--name",
                "Cecilia Lund",
                "--email",
                "cecilia@lund.example",
            ],
        )
        .ok();
        let good = dir.0.join("good.csv");
        std::fs::write(
            &good,
            "name,company,email\nBo Ek,Ek AB,bo@ek.example\nCecilia Lund,,CECILIA@lund.example\n",
        )
        .unwrap();
        let imported = seam(&db, &["lead", "import", good.to_str().unwrap()])
            .ok()
            .stdout;
        assert!(
            imported.contains("imported 2 leads (1 possible duplicates)"),
            "{imported}"
        );
        let list = seam(&db, &["lead", "list", "--search", "ek.example"])
            .ok()
            .stdout;
        assert_eq!(list.lines().count(), 2, "{list}");
        assert_eq!(row_count(&db, "leads").await, 3);
        assert!(list.contains("import"), "{list}");
        let missing = seam(&db, &["lead", "import", "/nonexistent/leads.csv"]).failed();
        assert!(missing.stderr.contains("cannot read"), "{missing:?}");
    }
}

#[test]
fn help_works_for_every_crm_command() {
    let commands: [&[&str]; 15] = [
        &["lead", "add"],
        &["lead", "list"],
        &["lead", "show"],
        &["lead", "merge"],
        &["lead", "qualify"],
        &["lead", "disqualify"],
        &["lead", "import"],
        &["opportunity", "list"],
        &["opportunity", "show"],
        &["opportunity", "stage"],
        &["opportunity", "win"],
        &["opportunity", "lose"],
        &["forecast"],
        &["lead"],
        &["opportunity"],
    ];
    for args in commands {
        let output = Command::new(env!("CARGO_BIN_EXE_seam"))
            .args(args)
            .arg("--help")
            .output()
            .unwrap();
        assert!(output.status.success(), "{args:?} --help");
    }
}
