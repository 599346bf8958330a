//! Invoicing from the `seam` binary end to end, against a fresh SQLite file
//! and, when `SEAM_TEST_PG_URL` is set, a fresh PostgreSQL schema: the
//! company profile, an order shipped and invoiced, posting, the UBL checked
//! by the official EN 16931 validator, the PDF, a payment, exchange rates,
//! credit notes and the aging report as CSV and JSON.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::path::{Path, PathBuf};
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

/// The official validator beside the workspace, or `None` when it is
/// missing and `SEAM_SKIP_EN16931=1` says that is fine.
fn validator() -> Option<PathBuf> {
    let path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/standards/en16931/validate");
    if path.exists() {
        return Some(path);
    }
    if std::env::var("SEAM_SKIP_EN16931").as_deref() == Ok("1") {
        eprintln!("SEAM_SKIP_EN16931=1: skipping the EN 16931 validator");
        return None;
    }
    panic!(
        "the EN 16931 validator is missing at {} (it lives in shared/standards next to the \
         workspace); set SEAM_SKIP_EN16931=1 to skip this check",
        path.display()
    );
}

const PRODUCTS_CSV: &str = "sku,name,kind,unit,list_price,currency,standard_cost,tax_rate,revenue_account\n\
    ESP-1KG,\"Espresso beans, dark roast, 1 kg\",goods,C62,24.90,EUR,12.40,S12,\n\
    SVC-INSTALL,Espresso machine installation,service,HUR,85,EUR,40,S25,\n";

const PARTIES_CSV: &str = "kind,name,email,tax_id,street,postal_code,city,country,customer\n\
    company,Kund AB,ap@kund.example,SE556000000101,Kungsgatan 2,111 43,Stockholm,SE,yes\n";

/// The first whitespace-separated cell of the line of `list` that mentions `needle`.
fn id_in(list: &str, needle: &str) -> String {
    list.lines()
        .find(|l| l.contains(needle))
        .and_then(|l| l.split_whitespace().next())
        .unwrap_or_else(|| panic!("{needle} not in\n{list}"))
        .to_owned()
}

/// The word after `prefix` in `text`, e.g. the number after "posted ".
fn word_after(text: &str, prefix: &str) -> String {
    let start = text
        .find(prefix)
        .unwrap_or_else(|| panic!("no {prefix:?} in {text}"))
        + prefix.len();
    text[start..].split_whitespace().next().unwrap().to_owned()
}

#[tokio::test]
async fn a_billing_ticket_is_opened_escalated_and_credited_from_the_cli() {
    for db in backends().await {
        let dir = TempDir::new("seam-cli-tickets").unwrap();
        let products = dir.0.join("products.csv");
        std::fs::write(&products, PRODUCTS_CSV).unwrap();
        seam(&db, &["product", "import", products.to_str().unwrap()]).ok();
        let parties = dir.0.join("parties.csv");
        std::fs::write(&parties, PARTIES_CSV).unwrap();
        seam(&db, &["party", "import", parties.to_str().unwrap()]).ok();
        let customer = id_in(&seam(&db, &["party", "list"]).ok().stdout, "Kund AB");
        let order = seam(
            &db,
            &[
                "order",
                "create",
                "--customer",
                &customer,
                "--line",
                "SVC-INSTALL:2",
            ],
        )
        .ok()
        .stdout
        .trim()
        .to_owned();
        let confirmed = seam(&db, &["order", "confirm", &order]).ok().stdout;
        let order_number = word_after(&confirmed, "confirmed ");
        let draft = seam(&db, &["invoice", "create", &order_number])
            .ok()
            .stdout
            .trim()
            .to_owned();
        let posted = seam(&db, &["invoice", "post", &draft]).ok().stdout;
        let invoice = word_after(&posted, "posted ");

        // A bad ticket names its fields and writes nothing.
        let refused = seam(
            &db,
            &[
                "ticket",
                "open",
                "--customer",
                &customer,
                "--subject",
                " ",
                "--body",
                "x",
                "--invoice",
                "INV-1999-000009",
            ],
        )
        .failed();
        assert!(refused.stderr.contains("subject: "), "{refused:?}");
        assert!(refused.stderr.contains("invoice: "), "{refused:?}");
        assert_eq!(row_count(&db, "tickets").await, 0);

        let number = seam(
            &db,
            &[
                "ticket",
                "open",
                "--customer",
                &customer,
                "--subject",
                "Billed 2 h, worked 1 h",
                "--body",
                "Please correct.",
                "--invoice",
                &invoice,
            ],
        )
        .ok()
        .stdout
        .trim()
        .to_owned();
        assert!(number.starts_with("TK-"), "{number}");
        seam(
            &db,
            &[
                "ticket",
                "reply",
                &number,
                "--internal",
                "--body",
                "Checked the timesheet",
            ],
        )
        .ok();
        seam(
            &db,
            &[
                "ticket",
                "escalate",
                &number,
                "--queue",
                "accounting",
                "--note",
                "Credit it",
            ],
        )
        .ok();
        let queue = seam(&db, &["ticket", "list", "--queue", "accounting"])
            .ok()
            .stdout;
        assert!(queue.contains(&number), "{queue}");
        let credited = seam(&db, &["ticket", "credit", &number]).ok().stdout;
        assert!(credited.contains("CN-"), "{credited}");
        let shown = seam(&db, &["ticket", "show", &number]).ok().stdout;
        assert!(shown.contains("state     resolved"), "{shown}");
        assert!(shown.contains("(internal note)"), "{shown}");
        assert!(shown.contains(&invoice), "{shown}");
        seam(&db, &["ticket", "close", &number]).ok();
        let again = seam(&db, &["ticket", "reply", &number, "--body", "hello"]).failed();
        assert!(!again.stderr.is_empty(), "{again:?}");
    }
}

#[tokio::test]
async fn an_order_is_invoiced_posted_written_as_ubl_and_pdf_paid_and_aged_from_the_cli() {
    let validate = validator();
    for db in backends().await {
        let dir = TempDir::new("seam-cli-invoices").unwrap();
        let products = dir.0.join("products.csv");
        std::fs::write(&products, PRODUCTS_CSV).unwrap();
        seam(&db, &["product", "import", products.to_str().unwrap()]).ok();
        let parties = dir.0.join("parties.csv");
        std::fs::write(&parties, PARTIES_CSV).unwrap();
        seam(&db, &["party", "import", parties.to_str().unwrap()]).ok();
        let customer = id_in(&seam(&db, &["party", "list"]).ok().stdout, "Kund AB");

        // The company profile: bad fields are named, good ones stored.
        let refused = seam(
            &db,
            &["company", "set", "--country", "Sweden", "--email", "nope"],
        )
        .failed();
        assert!(refused.stderr.contains("country: "), "{refused:?}");
        assert!(refused.stderr.contains("email: "), "{refused:?}");
        let set = seam(
            &db,
            &[
                "company",
                "set",
                "--name",
                "Seam Demo AB",
                "--vat-id",
                "SE556677889901",
                "--legal-id",
                "556677-8899",
                "--street",
                "Storgatan 1",
                "--postcode",
                "211 22",
                "--city",
                "Malmö",
                "--country",
                "se",
                "--email",
                "billing@seam.example",
                "--iban",
                "SE45 5000 0000 0583 9825 7466",
            ],
        )
        .ok();
        assert!(set.stdout.contains("country:  SE"), "{set:?}");
        let shown = seam(&db, &["company", "show"]).ok().stdout;
        assert!(
            shown.contains("Seam Demo AB") && shown.contains("currency: EUR"),
            "{shown}"
        );

        // An order: 4 bags shipped (goods), 2 hours of installation (a service).
        seam(&db, &["stock", "receive", "ESP-1KG", "10"]).ok();
        let order = seam(
            &db,
            &[
                "order",
                "create",
                "--customer",
                &customer,
                "--line",
                "ESP-1KG:4",
                "--line",
                "SVC-INSTALL:2",
            ],
        )
        .ok()
        .stdout
        .trim()
        .to_owned();
        let confirmed = seam(&db, &["order", "confirm", &order]).ok().stdout;
        let order_number = word_after(&confirmed, "confirmed ");
        let refused = seam(
            &db,
            &["invoice", "create", &order_number, "--terms-days", "999"],
        )
        .failed();
        assert!(refused.stderr.starts_with("terms_days: "), "{refused:?}");
        seam(&db, &["order", "ship", &order_number]).ok();
        // One unit comes back and one more than shipped is refused, naming the line.
        let too_many = seam(&db, &["order", "return", &order_number, "--line", "1:999"]).failed();
        assert!(
            too_many.stderr.starts_with("lines[1].qty: "),
            "{too_many:?}"
        );
        let bad = seam(&db, &["order", "return", &order_number, "--line", "one"]).failed();
        assert!(bad.stderr.contains("LINE:QTY"), "{bad:?}");
        let returned = seam(
            &db,
            &[
                "order",
                "return",
                &order_number,
                "--line",
                "1:1",
                "--reason",
                "Dented",
            ],
        )
        .ok()
        .stdout;
        assert!(returned.starts_with("returned RET-"), "{returned}");

        // Invoice it: a draft, then posted with a number.
        let draft = seam(
            &db,
            &["invoice", "create", &order_number, "--terms-days", "14"],
        )
        .ok()
        .stdout
        .trim()
        .to_owned();
        let nothing = seam(&db, &["invoice", "create", &order_number]).failed();
        assert!(nothing.stderr.starts_with("lines: "), "{nothing:?}");
        let not_yet = seam(&db, &["invoice", "ubl", &draft]).failed();
        assert!(not_yet.stderr.starts_with("error: "), "{not_yet:?}");
        let posted = seam(&db, &["invoice", "post", &draft]).ok().stdout;
        let number = word_after(&posted, "posted ");
        assert!(number.starts_with("INV-"), "{posted}");
        assert!(posted.contains("journal entry JE-"), "{posted}");
        let again = seam(&db, &["invoice", "post", &number]).failed();
        assert!(
            again.stderr.contains(&format!("cannot post {number}")),
            "{again:?}"
        );

        // 4 × 24.90 at 12% and 2 × 85.00 at 25%: 99.60 + 11.95 + 170.00 + 42.50.
        let show = seam(&db, &["invoice", "show", &number]).ok().stdout;
        assert!(show.contains("total:   324.05 EUR"), "{show}");
        assert!(
            show.contains(&format!("order:    {order_number}")),
            "{show}"
        );
        let list = seam(&db, &["invoice", "list", "--open"]).ok().stdout;
        assert!(list.contains(&number) && list.contains("324.05"), "{list}");
        let drafts = seam(&db, &["invoice", "list", "--state", "draft"])
            .ok()
            .stdout;
        assert_eq!(drafts.lines().count(), 1, "only the header: {drafts}");

        // UBL: to stdout and to a file, and valid by the official rules.
        let ubl = seam(&db, &["invoice", "ubl", &number]).ok().stdout;
        assert!(ubl.starts_with("<?xml"), "{ubl}");
        assert!(ubl.contains(&format!("<cbc:ID>{number}</cbc:ID>")));
        let xml = dir.0.join("invoice.xml");
        seam(
            &db,
            &["invoice", "ubl", &number, "-o", xml.to_str().unwrap()],
        )
        .ok();
        assert_eq!(std::fs::read_to_string(&xml).unwrap(), ubl);
        if let Some(validate) = &validate {
            let out = Command::new(validate).arg(&xml).output().unwrap();
            let report = format!(
                "{}{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            );
            assert!(
                out.status.success(),
                "the EN 16931 validator rejected:\n{report}\n{ubl}"
            );
            assert!(report.lines().any(|l| l.starts_with("PASS")), "{report}");
        }

        // PDF.
        let pdf = dir.0.join("invoice.pdf");
        seam(
            &db,
            &["invoice", "pdf", &number, "-o", pdf.to_str().unwrap()],
        )
        .ok();
        let bytes = std::fs::read(&pdf).unwrap();
        assert!(bytes.starts_with(b"%PDF"), "not a PDF");
        let missing = seam(
            &db,
            &[
                "invoice",
                "pdf",
                "INV-1999-000001",
                "-o",
                pdf.to_str().unwrap(),
            ],
        )
        .failed();
        assert!(missing.stderr.contains("INV-1999-000001"), "{missing:?}");

        // The aging before payment: all current.
        let csv = seam(&db, &["report", "aging", "--format", "csv"])
            .ok()
            .stdout;
        let lines: Vec<&str> = csv.lines().collect();
        assert_eq!(
            lines[0],
            "party_id,party,currency,current,1-30,31-60,61-90,over-90,total"
        );
        assert_eq!(
            lines[1],
            format!("{customer},Kund AB,EUR,324.05,0.00,0.00,0.00,0.00,324.05")
        );
        let later = seam(
            &db,
            &["report", "aging", "--at", "2099-01-01", "--format", "json"],
        )
        .ok()
        .stdout;
        let aged: serde_json::Value = serde_json::from_str(&later).unwrap();
        assert_eq!(aged["report"], "aging");
        assert_eq!(aged["rows"][0]["over_90"], "324.05");
        assert_eq!(aged["totals"]["total_minor"], 32405);
        let table = seam(&db, &["report", "aging"]).ok().stdout;
        assert!(
            table.contains("Kund AB") && table.contains("Total"),
            "{table}"
        );
        let refused = seam(&db, &["report", "aging", "--at", "2026-02-30"]).failed();
        assert!(refused.stderr.starts_with("at: "), "{refused:?}");

        // Payments: bad input names the options and writes nothing.
        let payments = row_count(&db, "payments").await;
        let events = row_count(&db, "events").await;
        let refused = seam(
            &db,
            &[
                "payment",
                "record",
                "--party",
                &customer,
                "--amount",
                "1,2,3",
                "--date",
                "2026-13-01",
                "--invoice",
                &format!("{number}:999.00"),
            ],
        )
        .failed();
        for option in ["--amount: ", "--date: "] {
            assert!(
                refused.stderr.lines().any(|l| l.starts_with(option)),
                "{option}: {refused:?}"
            );
        }
        let refused = seam(
            &db,
            &[
                "payment",
                "record",
                "--party",
                &customer,
                "--amount",
                "10",
                "--invoice",
                "INV-1999-000009",
            ],
        )
        .failed();
        assert!(
            refused.stderr.starts_with("--invoice INV-1999-000009: "),
            "{refused:?}"
        );
        let refused = seam(
            &db,
            &[
                "payment",
                "record",
                "--party",
                &customer,
                "--amount",
                "500",
                "--invoice",
                &format!("{number}:400"),
            ],
        )
        .failed();
        assert!(
            refused
                .stderr
                .starts_with(&format!("--invoice {number}:400: ")),
            "{refused:?}"
        );
        assert_eq!(row_count(&db, "payments").await, payments);
        assert_eq!(row_count(&db, "events").await, events);

        // Part of it by invoice, the rest without naming one.
        let paid = seam(
            &db,
            &[
                "payment",
                "record",
                "--party",
                &customer,
                "--amount",
                "100.00",
                "--reference",
                "Bank 4711",
                "--invoice",
                &number,
            ],
        )
        .ok()
        .stdout;
        assert!(paid.starts_with("recorded PAY-"), "{paid}");
        assert!(paid.contains(&format!("settles {number} 100.00")), "{paid}");
        let rest = seam(
            &db,
            &[
                "payment", "record", "--party", &customer, "--amount", "250.00",
            ],
        )
        .ok()
        .stdout;
        assert!(
            rest.contains("settles") && rest.contains("224.05"),
            "{rest}"
        );
        assert!(rest.contains("customer credit 25.95"), "{rest}");
        let list = seam(&db, &["payment", "list"]).ok().stdout;
        assert_eq!(list.lines().count(), 3, "{list}");
        assert!(list.contains("Bank 4711"), "{list}");
        let show = seam(&db, &["invoice", "show", &number]).ok().stdout;
        assert!(show.contains("state:    paid"), "{show}");
        let json = seam(&db, &["report", "aging", "--format", "json"])
            .ok()
            .stdout;
        let aged: serde_json::Value = serde_json::from_str(&json).unwrap();
        assert_eq!(aged["totals"]["total"], "0.00");
        assert_eq!(aged["rows"].as_array().unwrap().len(), 0);

        // A credit note for one bag: a draft, then posted.
        let refused = seam(&db, &["invoice", "credit", &number, "--line", "1:5"]).failed();
        assert!(refused.stderr.starts_with("lines[1].qty: "), "{refused:?}");
        let note = seam(
            &db,
            &[
                "invoice",
                "credit",
                &number,
                "--line",
                "1:1",
                "--reason",
                "Damaged bag",
            ],
        )
        .ok()
        .stdout
        .trim()
        .to_owned();
        let posted = seam(&db, &["invoice", "post", &note]).ok().stdout;
        assert!(posted.contains("posted CN-"), "{posted}");
        let draft = seam(&db, &["invoice", "credit", &number])
            .ok()
            .stdout
            .trim()
            .to_owned();
        let cancelled = seam(&db, &["invoice", "cancel", &draft]).ok().stdout;
        assert!(cancelled.starts_with("cancelled draft #"), "{cancelled}");
        let notes = seam(&db, &["invoice", "list", "--kind", "credit-note"])
            .ok()
            .stdout;
        assert_eq!(notes.lines().count(), 3, "{notes}");

        // Exchange rates.
        let refused = seam(&db, &["rate", "set", "EUR", "abc"]).failed();
        assert!(refused.stderr.contains("currency: "), "{refused:?}");
        assert!(refused.stderr.contains("rate: "), "{refused:?}");
        let set = seam(
            &db,
            &["rate", "set", "usd", "0,92150", "--date", "2026-01-02"],
        )
        .ok();
        assert_eq!(set.stdout.trim(), "1 USD = 0.9215 EUR from 2026-01-02");
        let rates = seam(&db, &["rate", "list"]).ok().stdout;
        assert!(
            rates.contains("USD") && rates.contains("2026-01-02") && rates.contains("0.9215"),
            "{rates}"
        );

        let bad = seam(&db, &["invoice", "credit", &number, "--line", "one"]);
        assert_eq!(bad.code, 2, "clap refuses a malformed option: {bad:?}");
        assert!(bad.stderr.contains("LINE:QTY"), "{bad:?}");
    }
}

#[test]
fn help_works_for_the_invoicing_commands() {
    for args in [
        &["invoice"][..],
        &["invoice", "list"],
        &["invoice", "show"],
        &["invoice", "create"],
        &["invoice", "post"],
        &["invoice", "cancel"],
        &["invoice", "credit"],
        &["invoice", "ubl"],
        &["invoice", "pdf"],
        &["payment"],
        &["payment", "record"],
        &["payment", "list"],
        &["rate"],
        &["rate", "set"],
        &["rate", "list"],
        &["company"],
        &["company", "show"],
        &["company", "set"],
        &["report", "aging"],
        &["order", "return"],
    ] {
        let output = Command::new(env!("CARGO_BIN_EXE_seam"))
            .args(args)
            .arg("--help")
            .output()
            .unwrap();
        assert!(output.status.success(), "seam {args:?} --help: {output:?}");
        assert!(String::from_utf8_lossy(&output.stdout).contains("Usage: seam"));
    }
}
