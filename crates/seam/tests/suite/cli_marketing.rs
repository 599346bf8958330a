//! Marketing from the `seam` binary, against a fresh SQLite file and, when
//! `SEAM_TEST_PG_URL` is set, a fresh PostgreSQL schema: a segment is saved
//! and shown, a campaign with a mistyped merge field is refused naming the
//! option with nothing written, a good one is sent (its recipients taken),
//! a bounce suppresses the address, and attribution comes out as CSV.

use std::process::Command;

use seam_app::{Actor, App, parties};
use seam_domain::party::PartyDraft;
use seam_store::testing::{self, TestDb};

#[derive(Debug)]
struct Run {
    code: i32,
    stdout: String,
    stderr: String,
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

fn ok(run: Run) -> String {
    assert_eq!(run.code, 0, "expected success:\n{run:?}");
    run.stdout
}

#[tokio::test]
async fn a_campaign_is_written_sent_bounced_and_attributed_from_the_cli() {
    let mut dbs = vec![testing::sqlite().await.unwrap()];
    if let Some(pg) = testing::postgres().await.unwrap() {
        dbs.push(pg);
    }
    for db in &dbs {
        let app = App::new(db.db.clone());
        for (name, email) in [("Acme AB", "info@acme.se"), ("Bolt Oy", "hello@bolt.fi")] {
            let draft = PartyDraft {
                kind: "company".into(),
                name: name.into(),
                email: email.into(),
                country: "SE".into(),
                is_customer: true,
                ..PartyDraft::default()
            };
            parties::create_party(&app, &Actor::system("test"), &draft)
                .await
                .unwrap();
        }
        let out = ok(seam(
            db,
            &["segment", "create", "--name", "Swedes", "--country", "se"],
        ));
        assert_eq!(out, "1\n2 parties, 2 with an e-mail address\n");
        assert!(ok(seam(db, &["segment", "show", "1"])).contains("Acme AB"));
        let bad = seam(db, &["segment", "create", "--name", "x", "--bought", "FIT"]);
        assert_eq!(bad.code, 1, "{bad:?}");
        assert!(bad.stderr.contains("--days"), "{bad:?}");

        let campaign = |subject: &str| {
            seam(
                db,
                &[
                    "campaign",
                    "create",
                    "--code",
                    "fair",
                    "--name",
                    "Fair",
                    "--from",
                    "news@example.com",
                    "--segment",
                    "1",
                    "--subject",
                    subject,
                    "--body",
                    "Hi {{name}} {{unsubscribe_url}}",
                ],
            )
        };
        let refused = campaign("Hi {{frist_name}}");
        assert_eq!(refused.code, 1, "{refused:?}");
        assert!(refused.stderr.contains("--subject"), "{refused:?}");
        assert!(refused.stderr.contains("{{frist_name}}"), "{refused:?}");
        assert!(!refused.stderr.contains("panicked"));
        assert_eq!(
            ok(seam(db, &["campaign", "list"])).lines().count(),
            1,
            "only the header"
        );
        assert_eq!(ok(campaign("Hi {{first_name}}")), "1\n");
        assert_eq!(ok(seam(db, &["campaign", "send", "1"])), "sending\n");
        assert!(ok(seam(db, &["campaign", "show", "1"])).contains("recipients queued 2"));

        assert_eq!(
            ok(seam(
                db,
                &["campaign", "bounce", "info@acme.se", "--note", "550"]
            )),
            "0 messages marked bounced\n"
        );
        let list = ok(seam(db, &["campaign", "suppressions"]));
        assert!(list.contains("info@acme.se,bounce,550,cli,"), "{list}");
        let bad = seam(db, &["campaign", "bounce", "not-an-address"]);
        assert_eq!(bad.code, 1);
        assert!(bad.stderr.contains("EMAIL"), "{bad:?}");
        let csv = ok(seam(
            db,
            &["campaign", "attribution", "1", "--format", "csv"],
        ));
        assert!(csv.starts_with("campaign,lead_id,lead,"), "{csv}");
    }
}
