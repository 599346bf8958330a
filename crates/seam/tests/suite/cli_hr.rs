//! HR from the `seam` binary end to end, against a fresh SQLite file and,
//! when `SEAM_TEST_PG_URL` is set, a fresh PostgreSQL schema: departments,
//! positions, employees with contracts and a manager; a bad IBAN, a negative
//! salary and a manager loop name the option and write nothing; leave is
//! requested in working days, refused when it overlaps, approved, and shown
//! in the balance.

use std::process::Command;

use seam_store::backup::{self, TABLES};
use seam_store::testing::{self, TestDb};

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

fn first_word(text: &str) -> String {
    text.split_whitespace().next().unwrap().to_owned()
}

#[tokio::test]
async fn employees_contracts_and_leave_from_the_cli() {
    for db in backends().await {
        let sales = first_word(
            &seam(&db, &["employee", "department", "--name", "Sales"])
                .ok()
                .stdout,
        );
        let position = first_word(
            &seam(
                &db,
                &[
                    "employee",
                    "position",
                    "--title",
                    "Account Executive",
                    "--department",
                    &sales,
                ],
            )
            .ok()
            .stdout,
        );
        let boss = seam(&db, &["employee", "add", "--name", "Bea Boss"])
            .ok()
            .stdout;
        assert!(boss.contains("EMP-000001"), "{boss}");
        let boss = first_word(&boss);
        let bad = seam(
            &db,
            &[
                "employee",
                "add",
                "--name",
                "Ivan",
                "--iban",
                "DE45 5001 0517 5407 3249 31",
            ],
        )
        .failed();
        assert!(bad.stderr.contains("--iban:"), "{bad:?}");
        assert_eq!(row_count(&db, "employees").await, 1, "nothing written");
        let worker = first_word(
            &seam(
                &db,
                &[
                    "employee",
                    "add",
                    "--name",
                    "Will Worker",
                    "--iban",
                    "DE44 5001 0517 5407 3249 31",
                ],
            )
            .ok()
            .stdout,
        );
        let contract = |who: &str, manager: &str, salary: &str| {
            let mut args = vec![
                "employee",
                "contract",
                who,
                "--start",
                "2020-01-01",
                "--hours",
                "40",
                "--salary",
                salary,
                "--currency",
                "EUR",
                "--department",
                &sales,
                "--position",
                &position,
            ];
            if !manager.is_empty() {
                args.extend(["--manager", manager]);
            }
            args.iter().map(|s| s.to_string()).collect::<Vec<_>>()
        };
        let args = contract(&worker, &boss, "-5");
        let refs: Vec<&str> = args.iter().map(String::as_str).collect();
        let negative = seam(&db, &refs).failed();
        assert!(
            negative
                .stderr
                .contains("--salary: A salary cannot be negative."),
            "{negative:?}"
        );
        let args = contract(&worker, &boss, "4200");
        let refs: Vec<&str> = args.iter().map(String::as_str).collect();
        seam(&db, &refs).ok();
        let args = contract(&boss, &worker, "9000");
        let refs: Vec<&str> = args.iter().map(String::as_str).collect();
        let looped = seam(&db, &refs).failed();
        assert!(looped.stderr.contains("--manager:"), "{looped:?}");
        assert_eq!(row_count(&db, "hr_contracts").await, 1, "nothing written");
        let shown = seam(&db, &["employee", "show", &worker]).ok().stdout;
        assert!(
            shown.contains("Bea Boss") && shown.contains("4200.00 EUR/month"),
            "{shown}"
        );
        let list = seam(&db, &["employee", "list"]).ok().stdout;
        assert!(
            list.contains("Will Worker") && list.contains("Account Executive"),
            "{list}"
        );

        seam(
            &db,
            &[
                "employee",
                "entitlement",
                &worker,
                "--type",
                "annual",
                "--year",
                "2030",
                "--days",
                "25",
            ],
        )
        .ok();
        seam(
            &db,
            &[
                "leave",
                "holiday",
                "--date",
                "2030-05-30",
                "--name",
                "Ascension Day",
            ],
        )
        .ok();
        // Monday 27 to Friday 31 May 2030, the Thursday a holiday: four days.
        let request = seam(
            &db,
            &[
                "leave",
                "request",
                "--employee",
                &worker,
                "--type",
                "annual",
                "--start",
                "2030-05-27",
                "--end",
                "2030-05-31",
            ],
        )
        .ok()
        .stdout;
        assert!(request.contains("4 days"), "{request}");
        let id = first_word(&request);
        let overlap = seam(
            &db,
            &[
                "leave",
                "request",
                "--employee",
                &worker,
                "--type",
                "sick",
                "--start",
                "2030-05-31",
            ],
        )
        .failed();
        assert!(overlap.stderr.contains("--start:"), "{overlap:?}");
        let reversed = seam(
            &db,
            &[
                "leave",
                "request",
                "--employee",
                &worker,
                "--type",
                "sick",
                "--start",
                "2030-06-05",
                "--end",
                "2030-06-03",
            ],
        )
        .failed();
        assert!(
            reversed
                .stderr
                .contains("--end: The end is before the start."),
            "{reversed:?}"
        );
        seam(&db, &["leave", "approve", &id]).ok();
        let listed = seam(&db, &["leave", "list", "--state", "approved"])
            .ok()
            .stdout;
        assert!(
            listed.contains("Will Worker") && listed.contains("2030-05-27"),
            "{listed}"
        );
        let balance = seam(
            &db,
            &["leave", "balance", "--employee", &worker, "--year", "2030"],
        )
        .ok()
        .stdout;
        let annual = balance.lines().find(|l| l.starts_with("annual")).unwrap();
        assert!(annual.contains("25") && annual.contains("21"), "{balance}");
    }
}

/// Hire to retire from the console: hire, IT's tasks (login, laptop),
/// a licence that refuses a seat too many, and offboarding that revokes.
#[tokio::test]
async fn hire_to_retire_from_the_cli() {
    for db in backends().await {
        let hire = |name: &str, salary: &str| {
            vec![
                "employee".to_owned(),
                "hire".into(),
                "--name".into(),
                name.into(),
                "--start".into(),
                "2026-01-05".into(),
                "--hours".into(),
                "40".into(),
                "--salary".into(),
                salary.into(),
                "--currency".into(),
                "EUR".into(),
            ]
        };
        let args = hire("Nils Neg", "-5");
        let refused = seam(&db, &args.iter().map(String::as_str).collect::<Vec<_>>()).failed();
        assert!(refused.stderr.contains("--salary"), "{refused:?}");
        assert_eq!(row_count(&db, "employees").await, 0);
        assert_eq!(row_count(&db, "hr_checklists").await, 0);
        let args = hire("Nina New", "3000");
        let employee = first_word(
            &seam(&db, &args.iter().map(String::as_str).collect::<Vec<_>>())
                .ok()
                .stdout,
        );
        let tasks = seam(&db, &["task", "list"]).ok().stdout;
        assert_eq!(
            tasks.lines().filter(|l| l.contains("Nina New")).count(),
            6,
            "{tasks}"
        );
        let task_id = |code: &str| {
            tasks
                .lines()
                .find(|l| l.split_whitespace().any(|w| w == code))
                .map(first_word)
                .unwrap()
        };
        let login = seam(
            &db,
            &[
                "task",
                "done",
                &task_id("login"),
                "--username",
                "nina",
                "--password",
                "copper meadow 58 lantern",
            ],
        )
        .ok();
        assert!(
            login.stdout.starts_with("login nina (employee)"),
            "{login:?}"
        );
        let asset = first_word(
            &seam(
                &db,
                &[
                    "asset", "add", "--kind", "laptop", "--model", "T14", "--serial", "S-1",
                ],
            )
            .ok()
            .stdout,
        );
        let bad = seam(
            &db,
            &[
                "asset", "add", "--kind", "laptop", "--model", "T14", "--serial", "S-2", "--cost",
                "-1",
            ],
        )
        .failed();
        assert!(bad.stderr.contains("--cost"), "{bad:?}");
        seam(
            &db,
            &["task", "done", &task_id("laptop"), "--asset", &asset],
        )
        .ok();
        let list = seam(&db, &["asset", "list", "--status", "assigned"])
            .ok()
            .stdout;
        assert!(
            list.contains("IT-000001") && list.contains("Nina New"),
            "{list}"
        );
        let licence = first_word(
            &seam(
                &db,
                &["licence", "add", "--product", "Office", "--seats", "0"],
            )
            .ok()
            .stdout,
        );
        let full = seam(&db, &["licence", "seat", &licence, "--employee", &employee]).failed();
        assert!(full.stderr.contains("--licence"), "{full:?}");
        let offboarded = seam(
            &db,
            &[
                "employee",
                "offboard",
                &employee,
                "--last-day",
                "2026-06-30",
            ],
        )
        .ok()
        .stdout;
        assert!(offboarded.contains("access-revoked"), "{offboarded}");
        let users = seam(&db, &["user", "list"]).ok().stdout;
        let nina = users
            .lines()
            .find(|l| l.contains("nina"))
            .unwrap_or_default()
            .to_owned();
        assert!(nina.contains("disabled") || nina.contains("yes"), "{users}");
        let csv = seam(&db, &["asset", "export"]).ok().stdout;
        assert!(csv.starts_with("tag,kind,model"), "{csv}");
    }
}
