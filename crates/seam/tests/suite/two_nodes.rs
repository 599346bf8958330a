//! Two `seam serve` processes on one PostgreSQL database share the job
//! queue: every queued e-mail reaches the SMTP server exactly once, and both
//! nodes do part of the work. Skipped (with a notice) when
//! `SEAM_TEST_PG_URL` is not set.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use crate::smtp;
use std::collections::{HashMap, HashSet};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use seam_app::jobs::JobState;
use seam_app::mail::{self, MailSettings};
use seam_app::{Actor, App};
use seam_store::jobs as store;
use seam_store::testing;

const JOBS: usize = 300;

/// A running `seam serve`, stopped with SIGTERM (then killed) on drop.
struct Node(Child);

impl Drop for Node {
    fn drop(&mut self) {
        let _ = Command::new("kill")
            .arg("-TERM")
            .arg(self.0.id().to_string())
            .status();
        let deadline = Instant::now() + Duration::from_secs(20);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.0.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

async fn serve(url: &str) -> Node {
    let port = free_port();
    let child = Command::new(env!("CARGO_BIN_EXE_seam"))
        .arg("--database-url")
        .arg(url)
        .args(["serve", "--listen", &format!("127.0.0.1:{port}")])
        .env_remove("SEAM_DATABASE_URL")
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("the seam binary starts");
    let node = Node(child);
    let deadline = Instant::now() + Duration::from_secs(60);
    while tokio::net::TcpStream::connect(("127.0.0.1", port))
        .await
        .is_err()
    {
        assert!(
            Instant::now() < deadline,
            "seam serve did not start listening"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    node
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_nodes_send_every_queued_email_exactly_once() {
    let Some(db) = testing::postgres().await.unwrap() else {
        eprintln!("SEAM_TEST_PG_URL is not set: skipping the two-node test on PostgreSQL");
        return;
    };
    let app = App::new(db.db.clone());
    let admin = Actor::system("tester");
    let sink = smtp::SmtpSink::start().await;
    mail::update_settings(
        &app,
        &admin,
        &MailSettings {
            smtp_url: sink.url(),
            from: "Seam <seam@example.com>".into(),
        },
    )
    .await
    .unwrap();
    let nodes = [serve(&db.url).await, serve(&db.url).await];
    // Both nodes are polling an empty queue; now the work arrives.
    let mut ids = Vec::new();
    for i in 0..JOBS {
        let id = mail::queue_message(
            &app,
            &admin,
            &format!("customer{i}@example.com"),
            &format!("Message {i}"),
            "Hello.\n",
        )
        .await
        .unwrap();
        ids.push(id);
    }
    let deadline = Instant::now() + Duration::from_secs(240);
    loop {
        let counts: HashMap<String, i64> =
            store::counts(&app.db).await.unwrap().into_iter().collect();
        if counts.get("done").copied().unwrap_or(0) == JOBS as i64 {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "not all jobs were done in time: {counts:?}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    drop(nodes);

    let messages = sink.messages();
    let mut seen: HashMap<i64, usize> = HashMap::new();
    for m in &messages {
        let id: i64 = m
            .header("X-Seam-Job")
            .expect("every message names its job")
            .parse()
            .unwrap();
        *seen.entry(id).or_default() += 1;
    }
    let twice: Vec<_> = seen.iter().filter(|(_, n)| **n > 1).collect();
    assert!(twice.is_empty(), "sent more than once: {twice:?}");
    assert_eq!(messages.len(), JOBS, "one message per job");
    let mut sent: Vec<i64> = seen.into_keys().collect();
    sent.sort_unstable();
    ids.sort_unstable();
    assert_eq!(sent, ids, "every job's message arrived");

    let done = store::list(&app.db, Some(JobState::Done), None, 1000)
        .await
        .unwrap();
    assert_eq!(done.len(), JOBS);
    assert!(
        done.iter().all(|j| j.attempts == 1),
        "no job was claimed twice"
    );
    let mut per_node: HashMap<String, usize> = HashMap::new();
    for job in &done {
        *per_node.entry(job.locked_by.clone().unwrap()).or_default() += 1;
    }
    let nodes: HashSet<&String> = per_node.keys().collect();
    assert_eq!(
        nodes.len(),
        2,
        "both nodes did some of the work: {per_node:?}"
    );
    eprintln!("jobs per node: {per_node:?}");
}
