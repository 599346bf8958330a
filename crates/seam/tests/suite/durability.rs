//! Durability of acknowledged writes across a SIGKILL of the real server.
//!
//! `seam serve` runs as a child process on a fresh database; 16 clients post
//! journal entries through the JSON API as fast as it answers, each on its
//! own keep-alive connection. Every entry whose `201 Created` came back is
//! acknowledged and remembered with its id and number. After a moment of load
//! the server is killed with SIGKILL, mid-flight, and started again on the same
//! database. Then every acknowledged entry must be there with its number, the
//! numbers of all entries must be gapless, the books must balance, the
//! maintained balances must equal the posted lines and the audit chain must
//! verify. Entries whose answer never came back may or may not exist; nothing
//! else is assumed about them.
//!
//! Runs on SQLite, and on PostgreSQL when `SEAM_TEST_PG_URL` is set.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::collections::BTreeMap;
use std::net::{SocketAddr, TcpListener};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper::client::conn::http1::SendRequest;
use hyper::{Request, StatusCode, header};
use hyper_util::rt::TokioIo;
use seam_app::{Actor, App, Db, ledger};
use seam_store::testing::{self, TempDir, TestDb};
use serde_json::{Value, json};

const CLIENTS: usize = 16;
/// Load at least this long before the kill…
const LOAD_MIN: Duration = Duration::from_millis(1_500);
/// …and until at least this many entries were acknowledged.
const ACKNOWLEDGED_MIN: usize = 32;
/// The test gives up when the server acknowledges too little in this time.
const LOAD_MAX: Duration = Duration::from_secs(15);

fn seam(url: &str, args: &[&str], stdin: &str) -> String {
    use std::io::Write;
    let mut child = Command::new(env!("CARGO_BIN_EXE_seam"))
        .arg("--database-url")
        .arg(url)
        .args(args)
        .env_remove("SEAM_DATABASE_URL")
        .env("RUST_LOG", "warn")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    let output = child.wait_with_output().unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(
        output.status.success(),
        "seam {args:?} failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    stdout
}

/// `seam serve` on a free port; killed (SIGKILL) when dropped.
struct Server {
    child: Child,
    addr: SocketAddr,
}

impl Server {
    async fn start(url: &str, log: &Path) -> Server {
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let addr = SocketAddr::from(([127, 0, 0, 1], port));
        let child = Command::new(env!("CARGO_BIN_EXE_seam"))
            .arg("--database-url")
            .arg(url)
            .args(["serve", "--listen", &addr.to_string()])
            .env_remove("SEAM_DATABASE_URL")
            .env("RUST_LOG", "warn")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(log).unwrap())
            .spawn()
            .unwrap();
        let mut server = Server { child, addr };
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            if let Some(status) = server.child.try_wait().unwrap() {
                panic!(
                    "seam serve stopped at its start ({status}):\n{}",
                    std::fs::read_to_string(log).unwrap_or_default()
                );
            }
            if let Ok(mut conn) = connect(addr).await
                && let Ok((StatusCode::OK, _)) = send(&mut conn, get(addr, "/healthz", "")).await
            {
                return server;
            }
            assert!(Instant::now() < deadline, "seam serve did not answer");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// SIGKILL: no chance to flush, finish a request or close a connection.
    fn kill(&mut self) {
        self.child.kill().unwrap();
        self.child.wait().unwrap();
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

async fn connect(addr: SocketAddr) -> anyhow::Result<SendRequest<Full<Bytes>>> {
    let stream = tokio::net::TcpStream::connect(addr).await?;
    let (sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(stream)).await?;
    tokio::spawn(connection);
    Ok(sender)
}

async fn send(
    conn: &mut SendRequest<Full<Bytes>>,
    request: Request<Full<Bytes>>,
) -> anyhow::Result<(StatusCode, Value)> {
    conn.ready().await?;
    let response = conn.send_request(request).await?;
    let status = response.status();
    let body = response.into_body().collect().await?.to_bytes();
    let value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    Ok((status, value))
}

fn get(addr: SocketAddr, path: &str, token: &str) -> Request<Full<Bytes>> {
    let mut request = Request::get(path).header(header::HOST, addr.to_string());
    if !token.is_empty() {
        request = request.header(header::AUTHORIZATION, format!("Bearer {token}"));
    }
    request.body(Full::new(Bytes::new())).unwrap()
}

/// What the clients saw.
#[derive(Default)]
struct Seen {
    /// Acknowledged entries: id → (number, memo).
    acknowledged: BTreeMap<i64, (String, String)>,
    /// Anything but 201 before the kill, and errors before the kill.
    unexpected: Vec<String>,
}

/// What every client shares.
struct Load {
    addr: SocketAddr,
    token: String,
    currency: String,
    date: String,
    /// Set just before the SIGKILL: errors after it are expected.
    killed: AtomicBool,
    /// Set after the SIGKILL: no client starts another request.
    stop: AtomicBool,
    seen: Mutex<Seen>,
}

/// One client: posts entries until its connection breaks or `stop` is set.
async fn client(load: Arc<Load>, n: usize) {
    let Load {
        addr,
        token,
        currency,
        date,
        killed,
        stop,
        seen,
    } = &*load;
    let addr = *addr;
    let mut conn = match connect(addr).await {
        Ok(conn) => conn,
        Err(e) => {
            if !killed.load(Ordering::SeqCst) {
                seen.lock()
                    .unwrap()
                    .unexpected
                    .push(format!("client {n}: connect: {e}"));
            }
            return;
        }
    };
    let mut i = 0_usize;
    while !stop.load(Ordering::SeqCst) {
        i += 1;
        let memo = format!("durability client {n} entry {i}");
        let amount = format!("{}.{:02}", 1 + i % 500, n);
        let body = json!({
            "date": date,
            "memo": memo,
            "currency": currency,
            "lines": [
                {"account": "1100", "debit": amount},
                {"account": "4100", "credit": amount},
            ],
        });
        let request = Request::post("/api/v1/journal-entries")
            .header(header::HOST, addr.to_string())
            .header(header::AUTHORIZATION, format!("Bearer {token}"))
            .header(header::CONTENT_TYPE, "application/json")
            .header("idempotency-key", format!("durability-{n}-{i}"))
            .body(Full::new(Bytes::from(body.to_string())))
            .unwrap();
        match send(&mut conn, request).await {
            Ok((StatusCode::CREATED, entry)) => {
                let id = entry["id"]
                    .as_i64()
                    .expect("an acknowledged entry has an id");
                let number = entry["number"].as_str().expect("and a number").to_owned();
                assert_eq!(entry["memo"], memo.as_str(), "{entry}");
                let mut seen = seen.lock().unwrap();
                assert!(
                    seen.acknowledged.insert(id, (number, memo)).is_none(),
                    "id {id} acknowledged twice"
                );
            }
            Ok((status, body)) => {
                seen.lock()
                    .unwrap()
                    .unexpected
                    .push(format!("client {n}: {status}: {body}"));
                return;
            }
            Err(e) => {
                if !killed.load(Ordering::SeqCst) {
                    seen.lock()
                        .unwrap()
                        .unexpected
                        .push(format!("client {n}: {e}"));
                }
                return;
            }
        }
    }
}

/// `PREFIX-000001`-style numbers are, per series, exactly 1..=count.
fn assert_gapless(numbers: &[String]) {
    let mut series: BTreeMap<&str, Vec<u64>> = BTreeMap::new();
    for number in numbers {
        let (prefix, seq) = number.rsplit_once('-').unwrap();
        series.entry(prefix).or_default().push(seq.parse().unwrap());
    }
    for (prefix, mut seqs) in series {
        seqs.sort_unstable();
        let expected: Vec<u64> = (1..=seqs.len() as u64).collect();
        assert_eq!(seqs, expected, "the {prefix} numbers have gaps or repeats");
    }
}

async fn acknowledged_entries_survive_a_sigkill(db: TestDb) {
    let dir = TempDir::new("seam-durability").unwrap();
    let currency = seam_app::company::currency(&App::new(db.db.clone()))
        .await
        .unwrap();
    // The server alone holds the database while it runs.
    db.db.close().await;
    let url = db.url.clone();
    seam(
        &url,
        &[
            "user",
            "add",
            "books",
            "--role",
            "accountant",
            "--password-stdin",
        ],
        "durability test 2026!\n",
    );
    let created = seam(
        &url,
        &[
            "token",
            "create",
            "--user",
            "books",
            "--name",
            "durability",
            "--scope",
            "ledger.post,ledger.read",
        ],
        "",
    );
    let token = created
        .lines()
        .skip_while(|l| !l.ends_with("shown only this once:"))
        .nth(1)
        .unwrap_or_else(|| panic!("no token in\n{created}"))
        .trim()
        .to_owned();
    let date = seam_app::today().iso();

    let mut server = Server::start(&url, &dir.0.join("first.log")).await;
    let load = Arc::new(Load {
        addr: server.addr,
        token: token.clone(),
        currency,
        date: date.clone(),
        killed: AtomicBool::new(false),
        stop: AtomicBool::new(false),
        seen: Mutex::new(Seen::default()),
    });
    let tasks: Vec<_> = (0..CLIENTS)
        .map(|n| tokio::spawn(client(load.clone(), n)))
        .collect();
    let started = Instant::now();
    loop {
        tokio::time::sleep(Duration::from_millis(50)).await;
        let (acknowledged, unexpected) = {
            let seen = load.seen.lock().unwrap();
            (seen.acknowledged.len(), seen.unexpected.clone())
        };
        assert!(unexpected.is_empty(), "before the kill: {unexpected:#?}");
        if started.elapsed() >= LOAD_MIN && acknowledged >= ACKNOWLEDGED_MIN {
            break;
        }
        assert!(
            started.elapsed() < LOAD_MAX,
            "only {acknowledged} entries acknowledged in {} s",
            LOAD_MAX.as_secs()
        );
    }
    // Kill while the clients are still posting.
    load.killed.store(true, Ordering::SeqCst);
    server.kill();
    load.stop.store(true, Ordering::SeqCst);
    for task in tasks {
        task.await.unwrap();
    }
    let seen = Arc::try_unwrap(load)
        .ok()
        .expect("every client has ended")
        .seen
        .into_inner()
        .unwrap();
    assert!(seen.unexpected.is_empty(), "{:#?}", seen.unexpected);
    let acknowledged = seen.acknowledged;
    assert!(acknowledged.len() >= ACKNOWLEDGED_MIN);

    // The same database, a new server: every acknowledged entry is there.
    let server = Server::start(&url, &dir.0.join("second.log")).await;
    let mut conn = connect(server.addr).await.unwrap();
    for (id, (number, memo)) in &acknowledged {
        let (status, entry) = send(
            &mut conn,
            get(
                server.addr,
                &format!("/api/v1/journal-entries/{id}"),
                &token,
            ),
        )
        .await
        .unwrap();
        assert_eq!(
            status,
            StatusCode::OK,
            "acknowledged entry {id} ({number}) is lost"
        );
        assert_eq!(entry["number"], number.as_str(), "entry {id}");
        assert_eq!(entry["memo"], memo.as_str(), "entry {id}");
        assert_eq!(entry["lines"].as_array().map(Vec::len), Some(2), "{entry}");
    }
    drop(conn);
    drop(server);

    // The books as a whole: gapless numbers, balanced, consistent, audited.
    let db = Db::connect(&url).await.unwrap();
    let app = App::new(db);
    let actor = Actor::system("test");
    let mut entries = Vec::new();
    let mut before = None;
    loop {
        let page = ledger::entries(&app, &actor, before, 500).await.unwrap();
        let Some(last) = page.last() else { break };
        before = Some(last.id);
        entries.extend(page);
    }
    assert!(entries.len() >= acknowledged.len());
    let numbers: Vec<String> = entries.iter().map(|e| e.number.clone()).collect();
    assert_gapless(&numbers);
    let by_id: BTreeMap<i64, &str> = entries.iter().map(|e| (e.id, e.number.as_str())).collect();
    for (id, (number, _)) in &acknowledged {
        assert_eq!(by_id.get(id).copied(), Some(number.as_str()), "entry {id}");
    }
    let tb = ledger::trial_balance(&app, &actor, &date).await.unwrap();
    assert_eq!(tb.debit_totals, tb.credit_totals);
    assert!(
        ledger::balances_agree_with_lines(&app, &actor)
            .await
            .unwrap()
    );
    app.db.close().await;
    let verified = seam(&url, &["audit", "verify"], "");
    assert!(!verified.is_empty());
    eprintln!(
        "{} entries acknowledged before the kill, {} in the books after the restart",
        acknowledged.len(),
        entries.len()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn acknowledged_entries_survive_a_sigkill_on_sqlite() {
    acknowledged_entries_survive_a_sigkill(testing::sqlite().await.unwrap()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn acknowledged_entries_survive_a_sigkill_on_postgres() {
    match testing::postgres().await.unwrap() {
        Some(db) => acknowledged_entries_survive_a_sigkill(db).await,
        None => eprintln!("SEAM_TEST_PG_URL is not set: skipping the PostgreSQL run"),
    }
}
