//! Logging in and out, second factors, and turning a session or an API token
//! into an [`Actor`].

use std::time::Duration;

use argon2::Argon2;
use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use seam_domain::FieldErrors;
use seam_domain::access::{Grants, Permission, Role};
use seam_domain::ids::{PartyId, UserId};
use seam_domain::locale::Locale;
use seam_store::users::UserRow;
use seam_store::{new_secret, sessions, tokens, users};
use serde_json::json;

use crate::{Actor, App, AppError, AppResult, Change, UserKind, now_us, record};

/// Failed logins in a row before the account locks for [`LOCKOUT`].
pub const FAILED_LOGINS_MAX: i64 = 5;
pub const LOCKOUT: Duration = Duration::from_secs(15 * 60);
/// A session lasts this long after login.
pub const SESSION_TTL: Duration = Duration::from_secs(12 * 60 * 60);
/// A login waiting for its second factor must finish within this time.
pub const SECOND_FACTOR_TTL: Duration = Duration::from_secs(5 * 60);

fn micros(d: Duration) -> i64 {
    i64::try_from(d.as_micros()).unwrap_or(i64::MAX)
}

/// Hashes with Argon2id on a blocking thread (it takes tens of milliseconds on purpose).
pub async fn hash_password(password: String) -> AppResult<String> {
    tokio::task::spawn_blocking(move || {
        Argon2::default()
            .hash_password(password.as_bytes())
            .map(|h| h.to_string())
            .map_err(|e| anyhow::anyhow!("password hashing failed: {e}"))
    })
    .await
    .map_err(anyhow::Error::new)?
    .map_err(AppError::Internal)
}

async fn password_matches(hash: String, password: String) -> bool {
    tokio::task::spawn_blocking(move || {
        PasswordHash::new(&hash).is_ok_and(|parsed| {
            Argon2::default()
                .verify_password(password.as_bytes(), &parsed)
                .is_ok()
        })
    })
    .await
    .unwrap_or(false)
}

/// A hash of nothing in particular, verified against when the username is
/// unknown, so the answer takes as long as for a real user.
fn decoy_hash() -> String {
    static DECOY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DECOY
        .get_or_init(|| {
            Argon2::default()
                .hash_password(b"decoy")
                .map(|h| h.to_string())
                .unwrap_or_default()
        })
        .clone()
}

/// The user's roles, parsed from the stored list; unknown names are ignored.
pub fn roles_of(row: &UserRow) -> Vec<Role> {
    row.roles.split(',').filter_map(Role::parse).collect()
}

/// The actor a user row acts as; a token's `scopes` narrow what it may do.
pub fn actor_from_user(row: &UserRow, scopes: Option<&[Permission]>) -> Actor {
    let roles = roles_of(row);
    let grants = Grants::for_roles(&roles);
    Actor {
        user_id: Some(UserId(row.id)),
        username: row.username.clone(),
        display_name: row.display_name.clone(),
        kind: if row.kind == "portal" {
            UserKind::Portal
        } else {
            UserKind::Staff
        },
        grants: match scopes {
            Some(scopes) => grants.narrowed_to(scopes),
            None => grants,
        },
        roles,
        locale: Locale::parse(&row.locale).unwrap_or_default(),
        time_zone: row.time_zone.clone(),
        party_id: row.party_id.map(PartyId),
    }
}

/// How a correct password ends.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LoginOutcome {
    /// A full session; the value is the cookie secret.
    LoggedIn { session: String },
    /// The user has a second factor: this short session only allows entering the code.
    SecondFactorNeeded { session: String },
}

fn login_failed() -> AppError {
    AppError::Invalid(FieldErrors::one("password", "error-login"))
}

/// Checks a username and password and opens a new session (a fresh id: a
/// session is never carried over from before login).
///
/// Errors: [`AppError::Invalid`] on a wrong username or password (the same
/// for both), [`AppError::Locked`] after [`FAILED_LOGINS_MAX`] failures.
pub async fn login(app: &App, username: &str, password: &str) -> AppResult<LoginOutcome> {
    let now = now_us();
    let Some(user) = users::user_by_username(&app.db, username.trim()).await? else {
        let decoy = tokio::task::spawn_blocking(decoy_hash)
            .await
            .unwrap_or_default();
        password_matches(decoy, password.to_owned()).await;
        return Err(login_failed());
    };
    if let Some(until_us) = user.locked_until_us.filter(|until| *until > now) {
        return Err(AppError::Locked { until_us });
    }
    let ok = password_matches(user.password_hash.clone(), password.to_owned()).await;
    let mut tx = app.db.begin().await?;
    let mut row = users::user_for_update(&mut tx, user.id).await?;
    let actor = actor_from_user(&row, None);
    if !ok || row.disabled {
        row.failed_logins += 1;
        let locked = row.failed_logins >= FAILED_LOGINS_MAX;
        if locked {
            row.locked_until_us = Some(now + micros(LOCKOUT));
            row.failed_logins = 0;
        }
        users::update_user(&mut tx, &row, now).await?;
        let action = if locked { "locked" } else { "login-failed" };
        record(
            &mut tx,
            &actor,
            Change {
                entity_type: "user",
                entity_id: row.id.to_string(),
                action,
                before: None,
                after: None,
            },
        )
        .await?;
        tx.commit().await?;
        return Err(match row.locked_until_us {
            Some(until_us) if locked => AppError::Locked { until_us },
            _ => login_failed(),
        });
    }
    row.failed_logins = 0;
    row.locked_until_us = None;
    users::update_user(&mut tx, &row, now).await?;
    // Expired sessions are swept here, where sessions are made, so the table stays small without a job.
    sessions::purge_expired_sessions(&mut tx, now).await?;
    let session = new_secret();
    let second_factor = row.totp_secret.is_some();
    let ttl = if second_factor {
        SECOND_FACTOR_TTL
    } else {
        SESSION_TTL
    };
    sessions::insert_session(
        &mut tx,
        &session,
        row.id,
        second_factor,
        now,
        now + micros(ttl),
    )
    .await?;
    if !second_factor {
        record(
            &mut tx,
            &actor,
            Change {
                entity_type: "user",
                entity_id: row.id.to_string(),
                action: "login",
                before: None,
                after: None,
            },
        )
        .await?;
    }
    tx.commit().await?;
    Ok(if second_factor {
        LoginOutcome::SecondFactorNeeded { session }
    } else {
        LoginOutcome::LoggedIn { session }
    })
}

/// Finishes a login with the code from the user's authenticator app. The
/// half-logged-in session is replaced by a new full one, whose secret is returned.
///
/// Errors: [`AppError::Unauthenticated`] when the pending session is gone,
/// [`AppError::Invalid`] on a wrong or reused code.
pub async fn complete_second_factor(
    app: &App,
    pending_session: &str,
    code: &str,
) -> AppResult<String> {
    let now = now_us();
    let Some(session) = sessions::session(&app.db, pending_session, now).await? else {
        return Err(AppError::Unauthenticated);
    };
    if !session.mfa_pending {
        return Err(AppError::Unauthenticated);
    }
    let mut tx = app.db.begin().await?;
    let mut row = users::user_for_update(&mut tx, session.user_id).await?;
    let step = row
        .totp_secret
        .as_deref()
        .and_then(|secret| totp_step(secret, code, now));
    let fresh = step.is_some_and(|s| row.totp_last_step.is_none_or(|last| s > last));
    if !fresh {
        return Err(AppError::Invalid(FieldErrors::one("code", "error-totp")));
    }
    row.totp_last_step = step;
    users::update_user(&mut tx, &row, now).await?;
    sessions::delete_session(&mut tx, pending_session).await?;
    let full = new_secret();
    sessions::insert_session(
        &mut tx,
        &full,
        row.id,
        false,
        now,
        now + micros(SESSION_TTL),
    )
    .await?;
    let actor = actor_from_user(&row, None);
    record(
        &mut tx,
        &actor,
        Change {
            entity_type: "user",
            entity_id: row.id.to_string(),
            action: "login",
            before: None,
            after: Some(json!({"second_factor": true})),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(full)
}

/// The time step a code is valid for, if it is valid now (one step of clock skew allowed).
pub fn totp_step(secret_base32: &str, code: &str, now_us: i64) -> Option<i64> {
    let secret = totp_rs::Secret::try_from_base32(secret_base32).ok()?;
    let totp = totp_rs::Builder::new().with_secret(secret).build().ok()?;
    let now_s = u64::try_from(now_us / 1_000_000).ok()?;
    let counter = totp.check(code.trim(), now_s)?;
    i64::try_from(counter).ok()
}

/// The current code for a secret (for tests and the demo).
pub fn totp_code(secret_base32: &str, now_us: i64) -> Option<String> {
    let secret = totp_rs::Secret::try_from_base32(secret_base32).ok()?;
    let totp = totp_rs::Builder::new().with_secret(secret).build().ok()?;
    Some(
        totp.generate(u64::try_from(now_us / 1_000_000).ok()?)
            .to_string(),
    )
}

/// Ends the session behind this cookie secret.
pub async fn logout(app: &App, session: &str, actor: Option<&Actor>) -> AppResult<()> {
    let mut tx = app.db.begin().await?;
    sessions::delete_session(&mut tx, session).await?;
    if let Some(actor) = actor {
        let id = actor.user_id.map(|id| id.to_string()).unwrap_or_default();
        record(
            &mut tx,
            actor,
            Change {
                entity_type: "user",
                entity_id: id,
                action: "logout",
                before: None,
                after: None,
            },
        )
        .await?;
    }
    tx.commit().await?;
    Ok(())
}

/// A live session as the web layer needs it.
#[derive(Debug, Clone)]
pub struct SessionState {
    pub actor: Actor,
    /// Password given, second factor still owed: only the code page is open.
    pub second_factor_pending: bool,
    pub flash: Option<String>,
}

/// The actor behind a session cookie; `None` if it is unknown, expired, or its user disabled.
pub async fn session_actor(app: &App, session: &str) -> AppResult<Option<SessionState>> {
    let Some(row) = sessions::session(&app.db, session, now_us()).await? else {
        return Ok(None);
    };
    let Some(user) = users::user_by_id(&app.db, row.user_id).await? else {
        return Ok(None);
    };
    if user.disabled {
        return Ok(None);
    }
    Ok(Some(SessionState {
        actor: actor_from_user(&user, None),
        second_factor_pending: row.mfa_pending,
        flash: row.flash,
    }))
}

/// Shows `message` (a catalogue key) once on the next page of this session.
pub async fn set_flash(app: &App, session: &str, message: Option<&str>) -> AppResult<()> {
    let mut tx = app.db.begin().await?;
    sessions::set_flash(&mut tx, session, message).await?;
    tx.commit().await?;
    Ok(())
}

/// The actor behind an API token: its user, narrowed to the token's scopes.
pub async fn token_actor(app: &App, secret: &str) -> AppResult<Option<Actor>> {
    let Some(token) = tokens::token_by_secret(&app.db, secret).await? else {
        return Ok(None);
    };
    let Some(user) = users::user_by_id(&app.db, token.user_id).await? else {
        return Ok(None);
    };
    if user.disabled {
        return Ok(None);
    }
    let scopes: Vec<Permission> = token
        .scopes
        .split(',')
        .filter_map(Permission::parse)
        .collect();
    // Record use at most once a minute, so API reads do not each cost a write.
    let now = now_us();
    if token.last_used_at_us.is_none_or(|at| at < now - 60_000_000) {
        tokens::touch_token(&app.db, token.id, now).await?;
    }
    Ok(Some(actor_from_user(&user, Some(&scopes))))
}

/// Ok when `password` is the user's current one.
pub async fn login_check(user: &UserRow, password: &str) -> AppResult<()> {
    if password_matches(user.password_hash.clone(), password.to_owned()).await {
        Ok(())
    } else {
        Err(login_failed())
    }
}
