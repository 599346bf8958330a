//! Users and their roles, passwords, preferences and second factors.

use seam_domain::FieldErrors;
use seam_domain::access::{Permission, Role};
use seam_domain::ids::UserId;
use seam_domain::locale::Locale;
use seam_domain::password;
use seam_store::users::NewUser;
pub use seam_store::users::UserRow;
use seam_store::{StoreError, Tx, sessions, settings, tokens, users};
use serde_json::json;

use crate::auth::{hash_password, roles_of, totp_step};
use crate::{Actor, App, AppError, AppResult, Change, now_us, record};

pub const USERNAME_CHARS_MAX: usize = 32;
const SETUP_TOKEN_SETTING: &str = "setup_token_hash";

/// A new login, as typed by an admin (or the setup page, or the CLI).
#[derive(Debug, Clone, Default)]
pub struct UserDraft {
    pub username: String,
    pub display_name: String,
    pub email: String,
    pub password: String,
    pub roles: Vec<Role>,
    /// For portal customers: the party they belong to.
    pub party_id: Option<i64>,
    pub locale: String,
    pub time_zone: String,
}

/// What the audit journal keeps of a user: never the password hash or the second-factor secret.
fn user_json(row: &UserRow) -> serde_json::Value {
    json!({
        "username": row.username,
        "display_name": row.display_name,
        "email": row.email,
        "kind": row.kind,
        "party_id": row.party_id,
        "roles": row.roles,
        "locale": row.locale,
        "time_zone": row.time_zone,
        "disabled": row.disabled,
        "second_factor": row.totp_secret.is_some(),
    })
}

fn check_username(username: &str, errors: &mut FieldErrors) {
    let ok = (3..=USERNAME_CHARS_MAX).contains(&username.len())
        && username
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"._-".contains(&b));
    if !ok {
        errors.add("username", "error-username");
    }
}

/// Errors: "error-time-zone" unless the IANA database knows the name.
pub fn check_time_zone(name: &str) -> Result<(), &'static str> {
    jiff::tz::TimeZone::get(name)
        .map(|_| ())
        .map_err(|_| "error-time-zone")
}

/// Creates a user. Needs `users.admin`.
///
/// Errors: [`AppError::Invalid`] naming each bad field; [`AppError::Conflict`]
/// (`error-username-taken`) when the name is in use.
pub async fn add_user(app: &App, actor: &Actor, draft: &UserDraft) -> AppResult<UserId> {
    actor.require(Permission::UsersAdmin)?;
    let mut tx = app.db.begin().await?;
    let id = add_user_in(app, &mut tx, actor, draft).await?;
    tx.commit().await?;
    Ok(id)
}

/// [`add_user`] inside the caller's transaction and without its permission
/// check: for a command that creates a login as part of its own change
/// (onboarding, with the roles HR set for the position).
pub(crate) async fn add_user_in(
    app: &App,
    tx: &mut Tx,
    actor: &Actor,
    draft: &UserDraft,
) -> AppResult<UserId> {
    let username = draft.username.trim().to_lowercase();
    let mut errors = FieldErrors::new();
    check_username(&username, &mut errors);
    if let Err(code) = password::check(&draft.password, &username) {
        errors.add("password", code);
    }
    let portal = draft.roles.contains(&Role::Portal);
    if draft.roles.is_empty() {
        errors.add("roles", "error-required");
    } else if portal && draft.roles.len() > 1 {
        errors.add("roles", "error-portal-only");
    }
    if portal && draft.party_id.is_none() {
        errors.add("party_id", "error-required");
    }
    let locale = if draft.locale.trim().is_empty() {
        Locale::En
    } else {
        Locale::parse(&draft.locale).unwrap_or_else(|| {
            errors.add("locale", "error-locale");
            Locale::En
        })
    };
    let time_zone = if draft.time_zone.trim().is_empty() {
        "UTC"
    } else {
        draft.time_zone.trim()
    };
    if let Err(code) = check_time_zone(time_zone) {
        errors.add("time_zone", code);
    }
    let email = draft.email.trim();
    let email = if email.is_empty() {
        None
    } else {
        let normalized = seam_domain::party::normalize_email(email);
        if normalized.is_none() {
            errors.add("email", "error-email");
        }
        normalized
    };
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors));
    }
    let party_id = match draft.party_id {
        Some(id) if seam_store::parties::party(&app.db, id).await?.is_none() => {
            return Err(AppError::Invalid(FieldErrors::one(
                "party_id",
                "error-unknown-party",
            )));
        }
        other => other,
    };
    let hash = hash_password(draft.password.clone()).await?;
    let display_name = if draft.display_name.trim().is_empty() {
        username.clone()
    } else {
        draft.display_name.trim().to_owned()
    };
    let roles: Vec<&str> = draft.roles.iter().map(|r| r.name()).collect();
    let roles = roles.join(",");
    let new = NewUser {
        username: &username,
        display_name: &display_name,
        email: email.as_deref(),
        password_hash: &hash,
        kind: if portal { "portal" } else { "staff" },
        party_id,
        roles: &roles,
        locale: locale.tag(),
        time_zone,
    };
    let id = match users::insert_user(tx, &new, now_us()).await {
        Err(StoreError::Duplicate) => return Err(AppError::Conflict("error-username-taken")),
        other => other?,
    };
    let row = users::user_for_update(tx, id).await?;
    record(
        tx,
        actor,
        Change {
            entity_type: "user",
            entity_id: id.to_string(),
            action: "create",
            before: None,
            after: Some(user_json(&row)),
        },
    )
    .await?;
    Ok(UserId(id))
}

/// The actor's own user record (for their settings page).
pub async fn me(app: &App, actor: &Actor) -> AppResult<UserRow> {
    let id = actor.user_id.ok_or(AppError::Unauthenticated)?;
    users::user_by_id(&app.db, id.0)
        .await?
        .ok_or(AppError::NotFound)
}

/// Every user, for the admin's list. Needs `users.admin`.
pub async fn list_users(app: &App, actor: &Actor) -> AppResult<Vec<UserRow>> {
    actor.require(Permission::UsersAdmin)?;
    Ok(users::list_users(&app.db).await?)
}

pub async fn user_by_username(app: &App, actor: &Actor, username: &str) -> AppResult<UserRow> {
    actor.require(Permission::UsersAdmin)?;
    users::user_by_username(&app.db, username.trim())
        .await?
        .ok_or(AppError::NotFound)
}

pub async fn user(app: &App, actor: &Actor, id: UserId) -> AppResult<UserRow> {
    actor.require(Permission::UsersAdmin)?;
    users::user_by_id(&app.db, id.0)
        .await?
        .ok_or(AppError::NotFound)
}

/// Loads a user for a change, applies `change`, writes it back with its event.
async fn change_user(
    app: &App,
    actor: &Actor,
    id: UserId,
    action: &str,
    change: impl FnOnce(&mut UserRow),
) -> AppResult<UserRow> {
    let mut tx = app.db.begin().await?;
    let row = change_user_in(&mut tx, actor, id, action, change).await?;
    tx.commit().await?;
    Ok(row)
}

/// Disables a login inside the caller's transaction, without a permission
/// check: offboarding ends a leaver's sessions and tokens with the rest of
/// its change.
pub(crate) async fn disable_in(tx: &mut Tx, actor: &Actor, id: UserId) -> AppResult<()> {
    change_user_in(tx, actor, id, "disable", |row| row.disabled = true).await?;
    Ok(())
}

async fn change_user_in(
    tx: &mut Tx,
    actor: &Actor,
    id: UserId,
    action: &str,
    change: impl FnOnce(&mut UserRow),
) -> AppResult<UserRow> {
    let mut row = users::user_for_update(tx, id.0).await?;
    let before = user_json(&row);
    change(&mut row);
    users::update_user(tx, &row, now_us()).await?;
    if row.disabled {
        sessions::delete_sessions_of_user(tx, row.id).await?;
        tokens::revoke_tokens_of_user(tx, row.id, now_us()).await?;
    }
    record(
        tx,
        actor,
        Change {
            entity_type: "user",
            entity_id: id.to_string(),
            action,
            before: Some(before),
            after: Some(user_json(&row)),
        },
    )
    .await?;
    Ok(row)
}

/// Disables a login: its sessions end and its API tokens are revoked at once.
/// An admin cannot disable themself (someone must be left to undo it).
pub async fn set_disabled(app: &App, actor: &Actor, id: UserId, disabled: bool) -> AppResult<()> {
    actor.require(Permission::UsersAdmin)?;
    if disabled && actor.user_id == Some(id) {
        return Err(AppError::Conflict("error-disable-self"));
    }
    change_user(
        app,
        actor,
        id,
        if disabled { "disable" } else { "enable" },
        |row| row.disabled = disabled,
    )
    .await?;
    Ok(())
}

/// Sets a user's roles. Needs `users.admin`.
pub async fn set_roles(app: &App, actor: &Actor, id: UserId, roles: &[Role]) -> AppResult<()> {
    actor.require(Permission::UsersAdmin)?;
    if roles.is_empty() {
        return Err(AppError::Invalid(FieldErrors::one(
            "roles",
            "error-required",
        )));
    }
    let current = users::user_by_id(&app.db, id.0)
        .await?
        .ok_or(AppError::NotFound)?;
    let portal_now = current.kind == "portal";
    if roles.contains(&Role::Portal) != portal_now || (portal_now && roles.len() > 1) {
        return Err(AppError::Invalid(FieldErrors::one(
            "roles",
            "error-portal-only",
        )));
    }
    let names: Vec<&str> = roles.iter().map(|r| r.name()).collect();
    let names = names.join(",");
    change_user(app, actor, id, "set-roles", |row| row.roles = names).await?;
    Ok(())
}

/// Sets a new password for a user, clears any lockout, turns off their second
/// factor (a lost phone is the usual reason to ask) and ends their sessions.
/// Needs `users.admin`.
pub async fn reset_password(
    app: &App,
    actor: &Actor,
    id: UserId,
    new_password: &str,
) -> AppResult<()> {
    actor.require(Permission::UsersAdmin)?;
    let current = users::user_by_id(&app.db, id.0)
        .await?
        .ok_or(AppError::NotFound)?;
    password::check(new_password, &current.username)
        .map_err(|code| AppError::Invalid(FieldErrors::one("password", code)))?;
    let hash = hash_password(new_password.to_owned()).await?;
    let mut tx = app.db.begin().await?;
    let mut row = users::user_for_update(&mut tx, id.0).await?;
    row.password_hash = hash;
    row.failed_logins = 0;
    row.locked_until_us = None;
    row.totp_secret = None;
    row.totp_last_step = None;
    users::update_user(&mut tx, &row, now_us()).await?;
    sessions::delete_sessions_of_user(&mut tx, row.id).await?;
    record(
        &mut tx,
        actor,
        Change {
            entity_type: "user",
            entity_id: id.to_string(),
            action: "reset-password",
            before: None,
            after: None,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// The actor's own password, after proving they know the current one.
pub async fn change_own_password(
    app: &App,
    actor: &Actor,
    current: &str,
    new_password: &str,
) -> AppResult<()> {
    let id = actor.user_id.ok_or(AppError::Unauthenticated)?;
    let row = users::user_by_id(&app.db, id.0)
        .await?
        .ok_or(AppError::NotFound)?;
    let mut errors = FieldErrors::new();
    if crate::auth::login_check(&row, current).await.is_err() {
        errors.add("current_password", "error-login");
    }
    if let Err(code) = password::check(new_password, &row.username) {
        errors.add("new_password", code);
    }
    errors.into_result(())?;
    let hash = hash_password(new_password.to_owned()).await?;
    change_user(app, actor, id, "change-password", |row| {
        row.password_hash = hash
    })
    .await?;
    Ok(())
}

/// The actor's own language and time zone.
pub async fn set_preferences(
    app: &App,
    actor: &Actor,
    locale: &str,
    time_zone: &str,
) -> AppResult<()> {
    let id = actor.user_id.ok_or(AppError::Unauthenticated)?;
    let mut errors = FieldErrors::new();
    let locale = Locale::parse(locale);
    if locale.is_none() {
        errors.add("locale", "error-locale");
    }
    if let Err(code) = check_time_zone(time_zone.trim()) {
        errors.add("time_zone", code);
    }
    let Some(locale) = locale else {
        return Err(AppError::Invalid(errors));
    };
    errors.into_result(())?;
    change_user(app, actor, id, "set-preferences", |row| {
        row.locale = locale.tag().to_owned();
        row.time_zone = time_zone.trim().to_owned();
    })
    .await?;
    Ok(())
}

/// A new second-factor secret (base32) and the `otpauth://` link an
/// authenticator app reads. Nothing is stored until [`enable_second_factor`].
pub fn new_second_factor(actor: &Actor) -> (String, String) {
    use rand::RngCore;
    let mut bytes = [0u8; 20];
    rand::rng().fill_bytes(&mut bytes);
    let secret = totp_rs::Secret::from(bytes.to_vec()).to_base32();
    let url = format!(
        "otpauth://totp/Seam:{}?secret={secret}&issuer=Seam&digits=6&period=30",
        actor.username
    );
    (secret, url)
}

/// Turns on the second factor once the user proves their app shows the right code.
pub async fn enable_second_factor(
    app: &App,
    actor: &Actor,
    secret: &str,
    code: &str,
) -> AppResult<()> {
    let id = actor.user_id.ok_or(AppError::Unauthenticated)?;
    let step = totp_step(secret, code, now_us())
        .ok_or_else(|| AppError::Invalid(FieldErrors::one("code", "error-totp")))?;
    let secret = secret.to_owned();
    change_user(app, actor, id, "enable-second-factor", |row| {
        row.totp_secret = Some(secret);
        row.totp_last_step = Some(step);
    })
    .await?;
    Ok(())
}

/// Turns the second factor off, after the current password.
pub async fn disable_second_factor(app: &App, actor: &Actor, password: &str) -> AppResult<()> {
    let id = actor.user_id.ok_or(AppError::Unauthenticated)?;
    let row = users::user_by_id(&app.db, id.0)
        .await?
        .ok_or(AppError::NotFound)?;
    crate::auth::login_check(&row, password)
        .await
        .map_err(|_| AppError::Invalid(FieldErrors::one("password", "error-login")))?;
    change_user(app, actor, id, "disable-second-factor", |row| {
        row.totp_secret = None;
        row.totp_last_step = None;
    })
    .await?;
    Ok(())
}

/// True while no user exists: the installation still needs its first admin.
pub async fn needs_setup(app: &App) -> AppResult<bool> {
    Ok(users::count_users(&app.db).await? == 0)
}

/// A one-time secret for the setup page, printed on the console when a fresh
/// database starts. Replaces any earlier one.
pub async fn create_setup_token(app: &App) -> AppResult<String> {
    let secret = seam_store::new_secret();
    let mut tx = app.db.begin().await?;
    settings::set_setting(
        &mut tx,
        SETUP_TOKEN_SETTING,
        &seam_store::secret_hash(&secret),
    )
    .await?;
    tx.commit().await?;
    Ok(secret)
}

/// Creates the first admin through the setup link. Works once, while no user exists.
///
/// Errors: [`AppError::Forbidden`] with a wrong or used token, or when users exist.
pub async fn complete_setup(app: &App, token: &str, draft: &UserDraft) -> AppResult<UserId> {
    let stored = settings::setting(&app.db, SETUP_TOKEN_SETTING).await?;
    if !needs_setup(app).await?
        || stored.as_deref() != Some(seam_store::secret_hash(token).as_str())
    {
        return Err(AppError::Forbidden);
    }
    let draft = UserDraft {
        roles: vec![Role::Admin],
        ..draft.clone()
    };
    let id = add_user(app, &Actor::system("setup"), &draft).await?;
    let mut tx = app.db.begin().await?;
    settings::delete_setting(&mut tx, SETUP_TOKEN_SETTING).await?;
    tx.commit().await?;
    Ok(id)
}

/// The roles of a user row, for display.
pub fn roles(row: &UserRow) -> Vec<Role> {
    roles_of(row)
}
