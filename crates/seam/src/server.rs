//! `seam serve` and `seam demo`: the web application, with the console
//! messages an operator needs at start (the setup link, the demo logins).

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::process::ExitCode;

use seam_app::demo::{self, DemoLogin};
use seam_app::{App, users};
use seam_web::WebConfig;

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

async fn run_server(app: &App, listen: SocketAddr, config: WebConfig) -> anyhow::Result<ExitCode> {
    tracing::info!(%listen, backend = ?app.db.backend(), "serving");
    seam_web::serve(app.clone(), listen, config).await?;
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
