//! `seam user …` and `seam token …`: logins and API tokens, administered from
//! the server's console.

use std::io::BufRead;
use std::process::ExitCode;

use anyhow::Context;
use rand::seq::IndexedRandom;
use seam_app::users::{self, UserDraft};
use seam_app::{Actor, App, AppError, tokens};
use seam_domain::access::Role;
use seam_domain::ids::{TokenId, UserId};
use seam_domain::password;
use seam_store::users::UserRow;

use crate::output::{out, table, timestamp, yes_no};
use crate::{TokenCommand, UserCommand};

/// Generated passwords: letters and digits that cannot be mistaken for each other.
const PASSWORD_ALPHABET: &[u8] = b"abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
const PASSWORD_GROUPS: usize = 4;
const PASSWORD_GROUP_CHARS: usize = 5;
/// A generated password fails the policy about never; this bounds the retries anyway.
const PASSWORD_ATTEMPTS_MAX: usize = 10;

fn cli() -> Actor {
    Actor::system("cli")
}

pub async fn user(app: &App, command: UserCommand) -> anyhow::Result<ExitCode> {
    match command {
        UserCommand::Add {
            username,
            roles,
            display_name,
            email,
            party_id,
            time_zone,
            password_stdin,
        } => {
            let (password, generated) = password_for(&username, password_stdin)?;
            let draft = UserDraft {
                username: username.clone(),
                display_name: display_name.unwrap_or_default(),
                email: email.unwrap_or_default(),
                password,
                roles: roles.clone(),
                party_id,
                locale: String::new(),
                time_zone: time_zone.unwrap_or_default(),
            };
            let id = users::add_user(app, &cli(), &draft)
                .await
                .with_context(|| format!("cannot add user {username}"))?;
            out(format!(
                "added user {} (id {id}) with roles {}",
                draft.username.trim().to_lowercase(),
                role_names(&roles)
            ))?;
            print_generated(
                &draft.username,
                generated.then_some(draft.password.as_str()),
            )?;
        }
        UserCommand::List => list_users(app).await?,
        UserCommand::Disable { username } => {
            let row = find_user(app, &username).await?;
            users::set_disabled(app, &cli(), UserId(row.id), true).await?;
            out(format!(
                "disabled {}: its sessions ended and its API tokens were revoked",
                row.username
            ))?;
        }
        UserCommand::Enable { username } => {
            let row = find_user(app, &username).await?;
            users::set_disabled(app, &cli(), UserId(row.id), false).await?;
            out(format!("enabled {}", row.username))?;
        }
        UserCommand::ResetPassword {
            username,
            password_stdin,
        } => {
            let row = find_user(app, &username).await?;
            let (password, generated) = password_for(&row.username, password_stdin)?;
            users::reset_password(app, &cli(), UserId(row.id), &password).await?;
            out(format!(
                "new password set for {}; their sessions ended",
                row.username
            ))?;
            print_generated(&row.username, generated.then_some(password.as_str()))?;
        }
        UserCommand::Roles { username, roles } => {
            let row = find_user(app, &username).await?;
            users::set_roles(app, &cli(), UserId(row.id), &roles).await?;
            out(format!(
                "{} now has roles {}",
                row.username,
                role_names(&roles)
            ))?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

pub async fn token(app: &App, command: TokenCommand) -> anyhow::Result<ExitCode> {
    match command {
        TokenCommand::Create { user, name, scopes } => {
            let row = find_user(app, &user).await?;
            let (id, secret) = tokens::create_token(app, &cli(), UserId(row.id), &name, &scopes)
                .await
                .with_context(|| format!("cannot create a token for {}", row.username))?;
            let scope_names: Vec<&str> = scopes.iter().map(|s| s.name()).collect();
            out(format!(
                "created token {id} \"{}\" for {} with scopes {}",
                name.trim(),
                row.username,
                scope_names.join(",")
            ))?;
            out("its secret, shown only this once:")?;
            out(secret)?;
        }
        TokenCommand::List { user } => {
            let row = find_user(app, &user).await?;
            let rows: Vec<Vec<String>> = tokens::tokens_of(app, &cli(), UserId(row.id))
                .await?
                .into_iter()
                .map(|t| {
                    vec![
                        t.id.to_string(),
                        t.name,
                        format!("{}…", t.prefix),
                        t.scopes,
                        timestamp(Some(t.created_at_us)),
                        timestamp(t.last_used_at_us),
                        timestamp(t.revoked_at_us),
                    ]
                })
                .collect();
            out(table(
                &[
                    "id",
                    "name",
                    "prefix",
                    "scopes",
                    "created",
                    "last used",
                    "revoked",
                ],
                &rows,
            ))?;
        }
        TokenCommand::Revoke { id } => {
            match tokens::revoke_token(app, &cli(), TokenId(id)).await {
                Err(AppError::NotFound) => anyhow::bail!("no token with id {id}"),
                other => other?,
            }
            out(format!("revoked token {id}"))?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

async fn list_users(app: &App) -> anyhow::Result<()> {
    let rows: Vec<Vec<String>> = users::list_users(app, &cli())
        .await?
        .iter()
        .map(|u| {
            vec![
                u.id.to_string(),
                u.username.clone(),
                u.roles.clone(),
                u.kind.clone(),
                yes_no(u.disabled),
                if u.totp_secret.is_some() { "on" } else { "off" }.to_owned(),
            ]
        })
        .collect();
    out(table(
        &["id", "username", "roles", "kind", "disabled", "2FA"],
        &rows,
    ))
}

async fn find_user(app: &App, username: &str) -> anyhow::Result<UserRow> {
    match users::user_by_username(app, &cli(), &username.trim().to_lowercase()).await {
        Err(AppError::NotFound) => anyhow::bail!("no user named {username}"),
        other => Ok(other?),
    }
}

fn role_names(roles: &[Role]) -> String {
    let names: Vec<&str> = roles.iter().map(|r| r.name()).collect();
    names.join(",")
}

/// The password to set, and whether it was generated (and so must be shown).
fn password_for(username: &str, from_stdin: bool) -> anyhow::Result<(String, bool)> {
    if from_stdin {
        return Ok((read_password_line()?, false));
    }
    Ok((generate_password(&username.trim().to_lowercase())?, true))
}

/// The first line of stdin without its line ending; the rest of the line is the password, spaces included.
fn read_password_line() -> anyhow::Result<String> {
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut line)
        .context("cannot read the password from standard input")?;
    let line = line.strip_suffix('\n').unwrap_or(&line);
    let line = line.strip_suffix('\r').unwrap_or(line);
    Ok(line.to_owned())
}

/// Four groups of five random letters and digits: about 115 bits, and easy to read out.
fn generate_password(username: &str) -> anyhow::Result<String> {
    let mut rng = rand::rng();
    for _ in 0..PASSWORD_ATTEMPTS_MAX {
        let groups: Vec<String> = (0..PASSWORD_GROUPS)
            .map(|_| {
                (0..PASSWORD_GROUP_CHARS)
                    .filter_map(|_| PASSWORD_ALPHABET.choose(&mut rng).map(|b| char::from(*b)))
                    .collect()
            })
            .collect();
        let candidate = groups.join("-");
        if password::check(&candidate, username).is_ok() {
            return Ok(candidate);
        }
    }
    anyhow::bail!("could not generate a password that passes the policy; use --password-stdin")
}

fn print_generated(username: &str, password: Option<&str>) -> anyhow::Result<()> {
    if let Some(password) = password {
        out(format!(
            "password for {}, shown only this once:",
            username.trim().to_lowercase()
        ))?;
        out(password)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_passwords_pass_the_policy_and_differ() {
        let a = generate_password("anna").unwrap_or_default();
        let b = generate_password("anna").unwrap_or_default();
        assert_eq!(password::check(&a, "anna"), Ok(()));
        assert_eq!(
            a.len(),
            PASSWORD_GROUPS * PASSWORD_GROUP_CHARS + PASSWORD_GROUPS - 1
        );
        assert_ne!(a, b);
    }
}
