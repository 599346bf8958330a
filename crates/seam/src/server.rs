//! `seam serve` and `seam demo`: the web application, with the console
//! messages an operator needs at start (the setup link, the demo logins),
//! and the node's job worker running beside the server.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::process::ExitCode;
use std::time::Duration;

use seam_app::demo::{self, DemoLogin};
use seam_app::{App, jobs, users};
use seam_web::WebConfig;
use tokio::sync::watch;

use crate::output::{out, table};

pub async fn serve(
    app: &App,
    listen: SocketAddr,
    secure_cookies: bool,
) -> anyhow::Result<ExitCode> {
    if users::needs_setup(app).await? {
        let token = users::create_setup_token(app).await?;
        out("This Seam has no users yet. Open this link once to create the first admin:")?;
        out(format!("  {}/setup?token={token}", base_url(listen)))?;
    }
    run_server(app, listen, WebConfig { secure_cookies }).await
}

pub async fn demo(app: &App, listen: SocketAddr) -> anyhow::Result<ExitCode> {
    let logins = demo::load_demo(app).await?;
    out(format!("Seam demo at {}/", base_url(listen)))?;
    if logins.is_empty() {
        out("This database has users of its own and none of the demo logins.")?;
    } else {
        out(format!("Log in as any of these:\n{}", login_table(&logins)))?;
    }
    run_server(app, listen, WebConfig::default()).await
}

/// How long a stopping server waits for the job it is running to finish;
/// past that the job's lease runs out and another node runs it again.
const WORKER_STOP_WAIT: Duration = Duration::from_secs(30);

/// Serves until Ctrl-C or SIGTERM, with this node's job worker beside the
/// web server. On stop the worker finishes the job it is running and gives
/// back the ones it claimed but has not started.
async fn run_server(app: &App, listen: SocketAddr, config: WebConfig) -> anyhow::Result<ExitCode> {
    let node = jobs::node_id();
    tracing::info!(%listen, backend = ?app.db.backend(), %node, "serving");
    let (stop, stopped) = watch::channel(false);
    let mut worker = tokio::spawn(jobs::run_worker(app.clone(), node, stopped));
    let served = seam_web::serve(app.clone(), listen, config).await;
    let _ = stop.send(true);
    if tokio::time::timeout(WORKER_STOP_WAIT, &mut worker)
        .await
        .is_err()
    {
        tracing::warn!("the job worker did not stop in time; its job will be run again elsewhere");
        worker.abort();
    }
    served?;
    tracing::info!("stopped");
    Ok(ExitCode::SUCCESS)
}

fn login_table(logins: &[DemoLogin]) -> String {
    let rows: Vec<Vec<String>> = logins
        .iter()
        .map(|login| {
            let roles: Vec<&str> = login.roles.iter().map(|r| r.name()).collect();
            vec![
                login.username.clone(),
                login.password.clone(),
                roles.join(","),
            ]
        })
        .collect();
    table(&["username", "password", "roles"], &rows)
}

/// The address a browser on this machine can open: a wildcard listen
/// address (0.0.0.0, ::) becomes the loopback address.
fn base_url(listen: SocketAddr) -> String {
    let ip = match listen.ip() {
        IpAddr::V4(ip) if ip.is_unspecified() => IpAddr::V4(Ipv4Addr::LOCALHOST),
        IpAddr::V6(ip) if ip.is_unspecified() => IpAddr::V6(Ipv6Addr::LOCALHOST),
        ip => ip,
    };
    format!("http://{}", SocketAddr::new(ip, listen.port()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_wildcard_listen_address_is_shown_as_loopback() {
        assert_eq!(
            base_url(SocketAddr::from(([0, 0, 0, 0], 8080))),
            "http://127.0.0.1:8080"
        );
        assert_eq!(
            base_url(SocketAddr::from(([192, 168, 1, 5], 80))),
            "http://192.168.1.5:80"
        );
        assert_eq!(
            base_url(
                "[::]:8080"
                    .parse()
                    .unwrap_or(SocketAddr::from(([0, 0, 0, 0], 1)))
            ),
            "http://[::1]:8080"
        );
    }
}
