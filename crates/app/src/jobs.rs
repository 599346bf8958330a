//! The worker every app node runs: it claims small batches of due jobs from
//! the queue (see `seam_store::jobs`), runs each kind's handler, and records
//! the outcome. Nodes share nothing but the database, so any number of them
//! may run; the claim guarantees that a job is held by one node at a time.
//!
//! Delivery is at least once: a node that stops in the middle of a job
//! leaves it claimed until its lease runs out, and then another node runs it
//! again. Handlers are therefore written to be safe to repeat (an e-mail
//! carries the same Message-ID each time it is sent).
//!
//! The operator's side (list, count, retry) needs `users.admin`.

use std::time::Duration;

use seam_domain::access::Permission;
use seam_store::jobs as store;
pub use seam_store::jobs::{JobRow, JobState};
use serde_json::json;
use tokio::sync::watch;

use crate::{Actor, App, AppError, AppResult, Change, mail, now_us, record};

/// How a worker paces itself.
#[derive(Debug, Clone)]
pub struct WorkerConfig {
    /// How many jobs one claim takes.
    pub batch: i64,
    /// How long a claim holds a job before another node may take it.
    pub lease: Duration,
    /// How long one job may run; shorter than the lease, so a job is never
    /// run by two nodes at once unless its node stopped.
    pub job_timeout: Duration,
    /// The pause when no job is due.
    pub idle: Duration,
}

impl Default for WorkerConfig {
    fn default() -> WorkerConfig {
        WorkerConfig {
            batch: 4,
            lease: Duration::from_secs(120),
            job_timeout: Duration::from_secs(60),
            idle: Duration::from_millis(200),
        }
    }
}

/// Why a job failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum JobError {
    /// Worth another try later (no SMTP server configured, a network error).
    Retry(String),
    /// Another try cannot help (a malformed payload, an address the server refuses).
    Permanent(String),
}

impl std::fmt::Display for JobError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            JobError::Retry(m) | JobError::Permanent(m) => f.write_str(m),
        }
    }
}

/// A name for this process among the nodes: host, process id and a random
/// suffix, so two processes on one host (or one restarted) never share it.
pub fn node_id() -> String {
    let host = hostname::get()
        .ok()
        .and_then(|h| h.into_string().ok())
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "node".to_owned());
    let random = seam_store::new_secret();
    format!(
        "{host}-{}-{}",
        std::process::id(),
        random.get(..6).unwrap_or("0")
    )
}

/// What one pass over the queue did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Pass {
    pub claimed: usize,
    pub done: usize,
    pub failed: usize,
    /// Given back unrun because the node is stopping.
    pub released: usize,
}

/// Runs the worker until `shutdown` turns true (or its sender is dropped),
/// with the default pacing. See [`run_worker_with`].
pub async fn run_worker(app: App, node: String, shutdown: watch::Receiver<bool>) {
    run_worker_with(app, node, shutdown, WorkerConfig::default()).await;
}

/// Claims and runs jobs until `shutdown` turns true. A job already running
/// when it does is finished; jobs claimed but not started are given back at
/// once, so no claimed job waits for its lease to run out.
pub async fn run_worker_with(
    app: App,
    node: String,
    mut shutdown: watch::Receiver<bool>,
    config: WorkerConfig,
) {
    tracing::info!(%node, "job worker started");
    loop {
        if stopping(&shutdown) {
            break;
        }
        let pause = match work_once(&app, &node, &config, &shutdown).await {
            Ok(pass) if pass.claimed > 0 => continue,
            Ok(_) => config.idle,
            Err(err) => {
                tracing::warn!(%node, %err, "job worker could not reach the queue");
                config.idle.max(Duration::from_secs(1))
            }
        };
        tokio::select! {
            () = tokio::time::sleep(pause) => {}
            changed = shutdown.changed() => {
                if changed.is_err() {
                    break;
                }
            }
        }
    }
    tracing::info!(%node, "job worker stopped");
}

fn stopping(shutdown: &watch::Receiver<bool>) -> bool {
    *shutdown.borrow() || shutdown.has_changed().is_err()
}

/// Claims one batch and runs it, one job after the other.
pub async fn work_once(
    app: &App,
    node: &str,
    config: &WorkerConfig,
    shutdown: &watch::Receiver<bool>,
) -> AppResult<Pass> {
    let lease_us = i64::try_from(config.lease.as_micros()).unwrap_or(i64::MAX);
    let jobs = store::claim(&app.db, node, config.batch, lease_us, now_us()).await?;
    let mut pass = Pass {
        claimed: jobs.len(),
        ..Pass::default()
    };
    for job in &jobs {
        if stopping(shutdown) {
            if store::release(&app.db, job.id, node).await? {
                pass.released += 1;
            }
            continue;
        }
        if run_one(app, node, job, config.job_timeout).await? {
            pass.done += 1;
        } else {
            pass.failed += 1;
        }
    }
    Ok(pass)
}

/// Runs one claimed job and records how it went. True when it succeeded.
async fn run_one(app: &App, node: &str, job: &JobRow, timeout: Duration) -> AppResult<bool> {
    let outcome = match tokio::time::timeout(timeout, handle(app, job)).await {
        Ok(outcome) => outcome,
        Err(_) => Err(JobError::Retry(format!(
            "took longer than {} s",
            timeout.as_secs()
        ))),
    };
    match outcome {
        Ok(()) => {
            if !store::complete(&app.db, job.id, node, now_us()).await? {
                tracing::warn!(job = job.id, %node, "job finished after its lease was taken over");
            }
            Ok(true)
        }
        Err(err) => {
            let permanent = matches!(err, JobError::Permanent(_));
            let retry_at = now_us().saturating_add(store::backoff_us(job.attempts));
            let message = err.to_string();
            match store::fail(&app.db, job.id, node, &message, retry_at, permanent).await {
                Ok(state) => {
                    tracing::warn!(job = job.id, kind = %job.kind, attempt = job.attempts, state = state.name(), error = %message, "job failed");
                }
                Err(seam_store::StoreError::Stale) => {
                    tracing::warn!(job = job.id, %node, "job failed after its lease was taken over");
                }
                Err(e) => return Err(e.into()),
            }
            Ok(false)
        }
    }
}

/// The handler of each kind of job.
async fn handle(app: &App, job: &JobRow) -> Result<(), JobError> {
    match job.kind.as_str() {
        mail::JOB_KIND => mail::send_job(app, job).await,
        crate::crm::REMINDER_JOB => crate::crm::remind_job(app, &job.payload).await,
        crate::sla::CHECK_JOB => crate::sla::check_job(app, &job.payload).await,
        crate::marketing::SEND_JOB => crate::marketing::send_job(app, &job.payload).await,
        crate::onboarding::REVOKE_JOB => crate::onboarding::revoke_job(app, &job.payload).await,
        other => Err(JobError::Permanent(format!("unknown job kind `{other}`"))),
    }
}

/// Runs every due job on this node until none is left (jobs that fail wait
/// for their retry time and are not run again here). For a node without a
/// server (`seam jobs work`), cron-style setups and tests. Needs `users.admin`.
pub async fn work_until_idle(app: &App, actor: &Actor, node: &str) -> AppResult<Pass> {
    actor.require(Permission::UsersAdmin)?;
    let config = WorkerConfig::default();
    // Never turns true: this pass stops when the queue has nothing due.
    let (_keep, shutdown) = watch::channel(false);
    let mut total = Pass::default();
    loop {
        let pass = work_once(app, node, &config, &shutdown).await?;
        if pass.claimed == 0 {
            return Ok(total);
        }
        total.claimed += pass.claimed;
        total.done += pass.done;
        total.failed += pass.failed;
        total.released += pass.released;
    }
}

/// Jobs newest first, optionally in one state. Needs `users.admin`.
pub async fn list(
    app: &App,
    actor: &Actor,
    state: Option<JobState>,
    before: Option<i64>,
    limit: i64,
) -> AppResult<Vec<JobRow>> {
    actor.require(Permission::UsersAdmin)?;
    Ok(store::list(&app.db, state, before, limit).await?)
}

/// How many jobs are in each state. Needs `users.admin`.
pub async fn counts(app: &App, actor: &Actor) -> AppResult<Vec<(String, i64)>> {
    actor.require(Permission::UsersAdmin)?;
    Ok(store::counts(&app.db).await?)
}

/// One job. Needs `users.admin`.
pub async fn job(app: &App, actor: &Actor, id: i64) -> AppResult<JobRow> {
    actor.require(Permission::UsersAdmin)?;
    store::job(&app.db, id).await?.ok_or(AppError::NotFound)
}

/// Puts a dead or failed job back in the queue, due now, with all its
/// attempts again. Needs `users.admin`.
///
/// Errors: [`AppError::NotFound`]; [`AppError::Conflict`] with
/// `error-job-state` when the job is not dead or failed.
pub async fn retry(app: &App, actor: &Actor, id: i64) -> AppResult<JobRow> {
    actor.require(Permission::UsersAdmin)?;
    let before = store::job(&app.db, id).await?.ok_or(AppError::NotFound)?;
    let mut tx = app.db.begin().await?;
    let Some(after) = store::retry(&mut tx, id, now_us()).await? else {
        return Err(AppError::Conflict("error-job-state"));
    };
    record(
        &mut tx,
        actor,
        Change {
            entity_type: "job",
            entity_id: id.to_string(),
            action: "retry",
            before: Some(json!({ "state": before.state, "attempts": before.attempts, "last_error": before.last_error })),
            after: Some(json!({ "state": after.state, "attempts": after.attempts })),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(after)
}
