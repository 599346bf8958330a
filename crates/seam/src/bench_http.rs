//! `seam bench http` and `seam bench memory`: the real server under load.
//!
//! Both start the `seam serve` of this very binary as a child process on a
//! free port of 127.0.0.1, against a data set (`seam generate --customers N`
//! on a fresh temporary SQLite file, or on the empty database
//! `--database-url` names), log in through the login form, create an API
//! token, and run `wrk` (Debian package `wrk`) against three pages for a
//! fixed duration each:
//!
//! - `party_page`: the 360° page of one customer (`GET /parties/{id}`, HTML,
//!   with the session cookie);
//! - `party_list`: the list of parties (`GET /parties`, HTML, session cookie);
//! - `api_party_list`: the JSON list (`GET /api/v1/parties`, bearer token).
//!
//! Every page is fetched once first and must answer 200, so the load never
//! measures redirects to the login page. The server's resident memory
//! (VmRSS, and its peak VmHWM, from /proc/PID/status) is read before and
//! after the load. `http` reports the latencies, throughput and memory;
//! `memory` runs the same loads to warm the server and reports its memory.
//!
//! `wrk` is a closed-loop generator: each connection sends its next request
//! when the previous answer arrived, so the figures are the throughput at
//! saturation and the latencies at that throughput. `wrk` runs on the same
//! machine as the server and shares its cores.

use std::io::Write;
use std::net::{SocketAddr, TcpListener};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitCode, Stdio};
use std::time::{Duration, Instant};

use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper::{Request, StatusCode, header};
use hyper_util::rt::TokioIo;
use seam_app::parties::{PartyFilter, PartySort};
use seam_app::users::{self, UserDraft};
use seam_app::{Actor, App, Db, customer_view, parties, tokens};
use seam_domain::access::{Permission, Role};
use seam_domain::ids::PartyId;
use serde_json::{Value, json};

use crate::bench::{Scratch, app_err, field, round3, settings, write_json};
use crate::output;

/// The login the benchmark creates and loads the pages as.
const BENCH_USER: &str = "loadtest";
/// How long the server may take to answer its first request.
const START_TIMEOUT: Duration = Duration::from_secs(60);
/// Customers among which the busiest one's 360° page is measured.
const CANDIDATES: i64 = 50;

/// The options `seam bench http` and `seam bench memory` share.
#[derive(Debug, clap::Args)]
pub struct HttpArgs {
    /// Seconds of load on each page.
    #[arg(long, default_value_t = 10, value_parser = clap::value_parser!(u64).range(1..=3_600), value_name = "SECONDS")]
    pub duration: u64,
    /// Open connections wrk keeps busy.
    #[arg(long, default_value_t = 64, value_parser = clap::value_parser!(u64).range(1..=10_000), value_name = "N")]
    pub connections: u64,
    /// Threads of wrk (at most one per connection).
    #[arg(long, default_value_t = 2, value_parser = clap::value_parser!(u64).range(1..=256), value_name = "N")]
    pub threads: u64,
    /// Customers in the data set filled into an empty database.
    #[arg(long, default_value_t = 10_000, value_parser = clap::value_parser!(u64).range(1..=10_000_000), value_name = "N")]
    pub customers: u64,
    /// Also write the figures as JSON to FILE.
    #[arg(long, value_name = "FILE")]
    pub json: Option<PathBuf>,
}

/// Which report the run prints.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scenario {
    Http,
    Memory,
}

impl Scenario {
    fn name(self) -> &'static str {
        match self {
            Scenario::Http => "http",
            Scenario::Memory => "memory",
        }
    }
}

/// Runs the scenario on `url`, or on a fresh temporary SQLite file when `None`.
pub async fn bench(
    url: Option<&str>,
    scenario: Scenario,
    args: HttpArgs,
) -> anyhow::Result<ExitCode> {
    let wrk = wrk_version()?;
    // The scratch directory also holds the server's log and wrk's script.
    let scratch = Scratch::new()?;
    let temporary = url.is_none();
    let url = match url {
        Some(url) => url.to_owned(),
        None => format!("sqlite://{}", scratch.0.join("bench.sqlite").display()),
    };
    let prepared = prepare(&url, args.customers).await?;
    let server = Server::start(&url, &scratch.0).await?;
    let result = load(&server, &prepared, &scratch.0, &args).await;
    let memory_after = server.memory();
    drop(server);
    let (runs, memory_before) = result?;
    let report = json!({
        "scenario": scenario.name(),
        "duration_seconds": args.duration,
        "connections": args.connections,
        "threads": args.threads.min(args.connections),
        "data_set": prepared.data_set,
        "runs": runs,
        "memory": {
            "before_load": memory_before,
            "after_load": memory_after,
        },
        "database": prepared.settings,
        "temporary_database": temporary,
        "available_parallelism": std::thread::available_parallelism().map_or(0, |n| n.get()),
        "seam_version": env!("CARGO_PKG_VERSION"),
        "wrk_version": wrk,
    });
    print_table(scenario, &report)?;
    if let Some(file) = &args.json {
        write_json(file, &report)?;
    }
    Ok(ExitCode::SUCCESS)
}

// ---------------------------------------------------------------- wrk

/// wrk's version line; a clear error naming the package when it is missing.
fn wrk_version() -> anyhow::Result<String> {
    let missing = || {
        anyhow::anyhow!(
            "wrk, the HTTP load generator, is not installed; \
             install it with `apt-get install wrk` (Debian, Ubuntu) and run again"
        )
    };
    let output = Command::new("wrk")
        .arg("--version")
        .stdin(Stdio::null())
        .output()
        .map_err(|_| missing())?;
    // wrk prints its version and usage, and exits 1, for --version.
    let text = String::from_utf8_lossy(&output.stdout);
    let line = text.lines().next().unwrap_or_default().trim().to_owned();
    if line.starts_with("wrk") {
        Ok(line)
    } else {
        Err(missing())
    }
}

/// wrk's `done` hook: prints the run's figures as one JSON line.
const WRK_SCRIPT: &str = r#"
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'SEAM-WRK {"requests":%d,"duration_us":%d,"bytes":%d,"errors_connect":%d,"errors_read":%d,"errors_write":%d,"errors_timeout":%d,"errors_status":%d,"latency_mean_us":%.1f,"latency_max_us":%d,"p50_us":%d,"p90_us":%d,"p99_us":%d,"p999_us":%d}\n',
    summary.requests, summary.duration, summary.bytes,
    e.connect, e.read, e.write, e.timeout, e.status,
    latency.mean, latency.max,
    latency:percentile(50), latency:percentile(90),
    latency:percentile(99), latency:percentile(99.9)))
end
"#;

/// One page to load.
struct Target {
    name: &'static str,
    path: String,
    /// The header that authenticates the request.
    auth: (header::HeaderName, String),
}

fn run_wrk(
    script: &Path,
    server: &Server,
    target: &Target,
    args: &HttpArgs,
) -> anyhow::Result<Value> {
    let url = format!("http://{}{}", server.addr, target.path);
    let output = Command::new("wrk")
        .arg("--latency")
        .arg("--threads")
        .arg(args.threads.min(args.connections).to_string())
        .arg("--connections")
        .arg(args.connections.to_string())
        .arg("--duration")
        .arg(format!("{}s", args.duration))
        .arg("--timeout")
        .arg("10s")
        .arg("--script")
        .arg(script)
        .arg("--header")
        .arg(format!("{}: {}", target.auth.0, target.auth.1))
        .arg(&url)
        .stdin(Stdio::null())
        .output()
        .map_err(|e| anyhow::anyhow!("cannot run wrk: {e}"))?;
    let stdout = String::from_utf8_lossy(&output.stdout);
    if !output.status.success() {
        anyhow::bail!(
            "wrk failed on {}: {}{}",
            target.path,
            stdout,
            String::from_utf8_lossy(&output.stderr)
        );
    }
    let line = stdout
        .lines()
        .find_map(|l| l.strip_prefix("SEAM-WRK "))
        .ok_or_else(|| anyhow::anyhow!("wrk printed no figures for {}:\n{stdout}", target.path))?;
    let raw: Value = serde_json::from_str(line)
        .map_err(|e| anyhow::anyhow!("wrk's figures for {} do not parse: {e}", target.path))?;
    let num = |key: &str| field(&raw, key).as_f64().unwrap_or(0.0);
    let ms = |key: &str| round3(num(key) / 1_000.0);
    let seconds = num("duration_us") / 1_000_000.0;
    let requests = num("requests");
    let errors: u64 = [
        "errors_connect",
        "errors_read",
        "errors_write",
        "errors_timeout",
        "errors_status",
    ]
    .iter()
    .filter_map(|key| field(&raw, key).as_u64())
    .sum();
    Ok(json!({
        "target": target.name,
        "path": target.path,
        "requests": field(&raw, "requests"),
        "seconds": round3(seconds),
        "requests_per_second": round3(if seconds > 0.0 { requests / seconds } else { 0.0 }),
        "p50_ms": ms("p50_us"),
        "p90_ms": ms("p90_us"),
        "p99_ms": ms("p99_us"),
        "p999_ms": ms("p999_us"),
        "mean_ms": ms("latency_mean_us"),
        "max_ms": ms("latency_max_us"),
        "errors": errors,
        "errors_status": field(&raw, "errors_status"),
        "mib_per_second": round3(if seconds > 0.0 { num("bytes") / seconds / 1_048_576.0 } else { 0.0 }),
    }))
}

// ---------------------------------------------------------------- data set

/// What the server is loaded with, and how to get in.
struct Prepared {
    customer: PartyId,
    password: String,
    token: String,
    data_set: Value,
    settings: Value,
}

/// Fills an empty database with the data set (a database with users is
/// refused), adds the benchmark's login and token, and picks the customer
/// whose 360° page is loaded.
///
/// The data set is `seam generate --customers N` run on the database: N
/// customers with two years of invoices, journal entries and payments.
async fn prepare(url: &str, customers: u64) -> anyhow::Result<Prepared> {
    let settings = with_app(url, async |app| {
        let no_users = users::needs_setup(app)
            .await
            .map_err(|e| app_err("checking for users", e))?;
        if !no_users {
            anyhow::bail!(
                "the database already holds users; the benchmark fills its own data set \
                 and runs only on an empty database \
                 (leave out --database-url for a temporary SQLite file)"
            );
        }
        settings(&app.db).await
    })
    .await?;
    let started = Instant::now();
    generate(url, customers)?;
    let fill_seconds = started.elapsed().as_secs_f64();
    with_app(url, async |app| {
        let actor = Actor::system("bench");
        let count = customer_count(app, &actor).await?;
        let customer = busiest_customer(app, &actor).await?;
        let password = format!("load-{}", seam_store::new_secret());
        let draft = UserDraft {
            username: BENCH_USER.to_owned(),
            display_name: "Benchmark".to_owned(),
            email: String::new(),
            password: password.clone(),
            roles: vec![Role::Admin],
            party_id: None,
            locale: String::new(),
            time_zone: String::new(),
        };
        let user = users::add_user(app, &actor, &draft)
            .await
            .map_err(|e| app_err("adding the benchmark's login", e))?;
        let (_, token) = tokens::create_token(
            app,
            &actor,
            user,
            "seam bench http",
            &[Permission::PartiesRead],
        )
        .await
        .map_err(|e| app_err("creating the benchmark's API token", e))?;
        let parties_total = parties::list_parties(
            app,
            &actor,
            &PartyFilter::default(),
            PartySort::NameAsc,
            None,
            1,
        )
        .await
        .map_err(|e| app_err("counting parties", e))?
        .total;
        Ok(Prepared {
            customer: customer.0,
            password,
            token,
            data_set: json!({
                "source": "seam generate",
                "customers": count,
                "parties": parties_total,
                "fill_seconds": round3(fill_seconds),
                "customer_id": customer.0.0,
                "customer_name": customer.1,
            }),
            settings: settings.clone(),
        })
    })
    .await
}

/// Runs `work` on the database at `url`, opened and closed around it.
async fn with_app<T>(
    url: &str,
    work: impl AsyncFnOnce(&App) -> anyhow::Result<T>,
) -> anyhow::Result<T> {
    let db = Db::connect(url)
        .await
        .map_err(|e| anyhow::anyhow!("cannot open the database: {e}"))?;
    db.migrate()
        .await
        .map_err(|e| anyhow::anyhow!("cannot bring the database schema up to date: {e}"))?;
    let app = App::new(db);
    let result = work(&app).await;
    app.db.close().await;
    result
}

fn seam_exe() -> anyhow::Result<PathBuf> {
    std::env::current_exe().map_err(|e| anyhow::anyhow!("cannot find the seam binary: {e}"))
}

/// `seam generate --customers N` on the database.
fn generate(url: &str, customers: u64) -> anyhow::Result<()> {
    let output = Command::new(seam_exe()?)
        .arg("--database-url")
        .arg(url)
        .args(["generate", "--customers", &customers.to_string()])
        .env_remove("SEAM_DATABASE_URL")
        .stdin(Stdio::null())
        .output()
        .map_err(|e| anyhow::anyhow!("cannot run seam generate: {e}"))?;
    if !output.status.success() {
        anyhow::bail!(
            "seam generate --customers {customers} failed: {}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
    }
    Ok(())
}

async fn customer_count(app: &App, actor: &Actor) -> anyhow::Result<i64> {
    let filter = PartyFilter {
        customers_only: true,
        ..PartyFilter::default()
    };
    Ok(
        parties::list_parties(app, actor, &filter, PartySort::NameAsc, None, 1)
            .await
            .map_err(|e| app_err("counting customers", e))?
            .total,
    )
}

/// Among the first customers by name, the one with the most on its 360° page.
async fn busiest_customer(app: &App, actor: &Actor) -> anyhow::Result<(PartyId, String)> {
    let filter = PartyFilter {
        customers_only: true,
        ..PartyFilter::default()
    };
    let page = parties::list_parties(app, actor, &filter, PartySort::NameAsc, None, CANDIDATES)
        .await
        .map_err(|e| app_err("listing customers", e))?;
    let mut best: Option<(usize, PartyId, String)> = None;
    for row in page.rows {
        let id = PartyId(row.id);
        let view = customer_view::customer_view(app, actor, id)
            .await
            .map_err(|e| app_err("reading a customer's page", e))?;
        let weight = view.orders.as_ref().map_or(0, Vec::len)
            + view.quotes.as_ref().map_or(0, Vec::len)
            + view
                .receivables
                .as_ref()
                .map_or(0, |r| r.open.len() + r.recent.len() + r.payments.len())
            + view.detail.timeline.len();
        if best.as_ref().is_none_or(|(w, _, _)| weight > *w) {
            best = Some((weight, id, row.name.clone()));
        }
    }
    best.map(|(_, id, name)| (id, name))
        .ok_or_else(|| anyhow::anyhow!("the data set has no customers"))
}

// ---------------------------------------------------------------- server

/// `seam serve` as a child process; killed when dropped.
struct Server {
    child: Child,
    addr: SocketAddr,
}

impl Server {
    async fn start(url: &str, dir: &Path) -> anyhow::Result<Server> {
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map_err(|e| anyhow::anyhow!("cannot find a free port: {e}"))?
            .port();
        let addr = SocketAddr::from(([127, 0, 0, 1], port));
        let log_path = dir.join("server.log");
        let log = std::fs::File::create(&log_path)
            .map_err(|e| anyhow::anyhow!("cannot create {}: {e}", log_path.display()))?;
        let child = Command::new(seam_exe()?)
            .arg("--database-url")
            .arg(url)
            .arg("serve")
            .arg("--listen")
            .arg(addr.to_string())
            .env_remove("SEAM_DATABASE_URL")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .map_err(|e| anyhow::anyhow!("cannot start seam serve: {e}"))?;
        let mut server = Server { child, addr };
        let deadline = Instant::now() + START_TIMEOUT;
        loop {
            if let Ok(Some(status)) = server.child.try_wait() {
                let log = std::fs::read_to_string(&log_path).unwrap_or_default();
                anyhow::bail!("seam serve stopped at its start ({status}):\n{log}");
            }
            if let Ok((StatusCode::OK, _, _)) = server.get("/healthz", None).await {
                return Ok(server);
            }
            if Instant::now() > deadline {
                anyhow::bail!(
                    "seam serve did not answer at {addr} within {} s",
                    START_TIMEOUT.as_secs()
                );
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// One request on a fresh connection: status, headers and body.
    async fn send(
        &self,
        request: Request<Full<Bytes>>,
    ) -> anyhow::Result<(StatusCode, hyper::HeaderMap, Bytes)> {
        let stream = tokio::net::TcpStream::connect(self.addr).await?;
        let (mut sender, connection) =
            hyper::client::conn::http1::handshake(TokioIo::new(stream)).await?;
        let driver = tokio::spawn(connection);
        let response = sender.send_request(request).await;
        let result = match response {
            Ok(response) => {
                let (parts, body) = response.into_parts();
                let body = body.collect().await?.to_bytes();
                Ok((parts.status, parts.headers, body))
            }
            Err(e) => Err(e.into()),
        };
        driver.abort();
        result
    }

    async fn get(
        &self,
        path: &str,
        auth: Option<&(header::HeaderName, String)>,
    ) -> anyhow::Result<(StatusCode, hyper::HeaderMap, Bytes)> {
        let mut request = Request::get(path).header(header::HOST, self.addr.to_string());
        if let Some((name, value)) = auth {
            request = request.header(name, value);
        }
        self.send(request.body(Full::new(Bytes::new()))?).await
    }

    /// Logs in through the login form; the session cookie's `name=value`.
    async fn log_in(&self, username: &str, password: &str) -> anyhow::Result<String> {
        let form = format!("username={username}&password={password}");
        let request = Request::post("/login")
            .header(header::HOST, self.addr.to_string())
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Full::new(Bytes::from(form)))?;
        let (status, headers, _) = self.send(request).await?;
        headers
            .get_all(header::SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .filter_map(|v| v.split(';').next())
            .find(|pair| pair.starts_with("seam_session="))
            .map(str::to_owned)
            .ok_or_else(|| anyhow::anyhow!("logging in gave no session cookie (status {status})"))
    }

    /// VmRSS and VmHWM of the server process, from /proc (Linux).
    fn memory(&self) -> Value {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id()))
            .unwrap_or_default();
        let kib = |key: &str| {
            status
                .lines()
                .find_map(|l| l.strip_prefix(key))
                .and_then(|rest| {
                    rest.trim()
                        .trim_end_matches("kB")
                        .trim()
                        .parse::<u64>()
                        .ok()
                })
        };
        let (rss, hwm) = (kib("VmRSS:"), kib("VmHWM:"));
        let mib = |k: Option<u64>| k.map(|k| round3(k as f64 / 1_024.0));
        json!({
            "rss_kib": rss,
            "hwm_kib": hwm,
            "rss_mib": mib(rss),
            "hwm_mib": mib(hwm),
        })
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

// ---------------------------------------------------------------- load

/// Logs in, checks every page answers 200, reads the memory, then loads each
/// page in turn. The runs and the memory before the load.
async fn load(
    server: &Server,
    prepared: &Prepared,
    dir: &Path,
    args: &HttpArgs,
) -> anyhow::Result<(Vec<Value>, Value)> {
    let cookie = server.log_in(BENCH_USER, &prepared.password).await?;
    let session = (header::COOKIE, cookie);
    let bearer = (header::AUTHORIZATION, format!("Bearer {}", prepared.token));
    let targets = [
        Target {
            name: "party_page",
            path: format!("/parties/{}", prepared.customer.0),
            auth: session.clone(),
        },
        Target {
            name: "party_list",
            path: "/parties".to_owned(),
            auth: session,
        },
        Target {
            name: "api_party_list",
            path: "/api/v1/parties".to_owned(),
            auth: bearer,
        },
    ];
    for target in &targets {
        let (status, _, body) = server.get(&target.path, Some(&target.auth)).await?;
        if status != StatusCode::OK {
            anyhow::bail!(
                "GET {} answered {status}, not 200: {}",
                target.path,
                String::from_utf8_lossy(&body)
                    .chars()
                    .take(300)
                    .collect::<String>()
            );
        }
    }
    let memory_before = server.memory();
    let script = dir.join("seam-bench.lua");
    std::fs::File::create(&script)
        .and_then(|mut f| f.write_all(WRK_SCRIPT.as_bytes()))
        .map_err(|e| anyhow::anyhow!("cannot write {}: {e}", script.display()))?;
    let mut runs = Vec::new();
    for target in &targets {
        runs.push(run_wrk(&script, server, target, args)?);
    }
    Ok((runs, memory_before))
}

// ---------------------------------------------------------------- output

fn print_table(scenario: Scenario, report: &Value) -> anyhow::Result<()> {
    let db = field(report, "database");
    let backend = if field(db, "backend") == "sqlite" {
        "SQLite"
    } else {
        "PostgreSQL"
    };
    let data = field(report, "data_set");
    output::out(format!(
        "seam serve on {backend} {}, {} customers ({} parties); wrk {} connections, {} threads, {} s per page",
        field(db, "version").as_str().unwrap_or("?"),
        field(data, "customers"),
        field(data, "parties"),
        field(report, "connections"),
        field(report, "threads"),
        field(report, "duration_seconds"),
    ))?;
    if scenario == Scenario::Http {
        let headers = [
            "page", "path", "requests", "req/s", "p50 ms", "p90 ms", "p99 ms", "max ms", "errors",
        ];
        let keys = [
            "target",
            "path",
            "requests",
            "requests_per_second",
            "p50_ms",
            "p90_ms",
            "p99_ms",
            "max_ms",
            "errors",
        ];
        let rows = crate::bench::run_rows(report, &keys, 1);
        let right: Vec<usize> = (2..headers.len()).collect();
        output::out(output::table_aligned(&headers, &right, &rows))?;
    }
    let memory = field(report, "memory");
    let mib = |when: &str, key: &str| {
        field(field(memory, when), key)
            .as_f64()
            .map_or("?".to_owned(), |m| format!("{m:.1} MiB"))
    };
    output::out(format!(
        "server memory before the load: resident {} (peak {}); after: resident {} (peak {})",
        mib("before_load", "rss_mib"),
        mib("before_load", "hwm_mib"),
        mib("after_load", "rss_mib"),
        mib("after_load", "hwm_mib"),
    ))?;
    Ok(())
}
