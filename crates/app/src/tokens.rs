//! API tokens: a user's key for integrations, limited to the scopes chosen.

use seam_domain::FieldErrors;
use seam_domain::access::Permission;
use seam_domain::ids::{TokenId, UserId};
use seam_store::tokens;
pub use seam_store::tokens::TokenRow;
use seam_store::users;
use serde_json::json;

use crate::{Actor, App, AppError, AppResult, Change, now_us, record};

/// Every token starts with this, so secret scanners and people can tell what it is.
pub const TOKEN_PREFIX: &str = "seam_";

/// Creates a token for `owner` (the actor themself, or anyone for an admin).
/// Returns the secret, which is shown once and stored only as a hash.
///
/// Errors: [`AppError::Invalid`] when the name is empty or a scope is one the
/// owner does not hold.
pub async fn create_token(
    app: &App,
    actor: &Actor,
    owner: UserId,
    name: &str,
    scopes: &[Permission],
) -> AppResult<(TokenId, String)> {
    if actor.user_id != Some(owner) {
        actor.require(Permission::UsersAdmin)?;
    }
    let owner_row = users::user_by_id(&app.db, owner.0)
        .await?
        .ok_or(AppError::NotFound)?;
    let owner_actor = crate::auth::actor_from_user(&owner_row, None);
    let mut errors = FieldErrors::new();
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 100 {
        errors.add("name", "error-required");
    }
    if scopes.is_empty() || scopes.iter().any(|s| !owner_actor.may(*s)) {
        errors.add("scopes", "error-scopes");
    }
    errors.into_result(())?;
    let secret = format!("{TOKEN_PREFIX}{}", seam_store::new_secret());
    let scope_names: Vec<&str> = scopes.iter().map(|s| s.name()).collect();
    let scope_names = scope_names.join(",");
    let mut tx = app.db.begin().await?;
    let id = tokens::insert_token(&mut tx, owner.0, name, &secret, &scope_names, now_us()).await?;
    record(
        &mut tx,
        actor,
        Change {
            entity_type: "api_token",
            entity_id: id.to_string(),
            action: "create",
            before: None,
            after: Some(json!({ "user_id": owner.0, "name": name, "scopes": scope_names })),
        },
    )
    .await?;
    tx.commit().await?;
    Ok((TokenId(id), secret))
}

/// Revokes a token at once. The owner may revoke their own; an admin any.
pub async fn revoke_token(app: &App, actor: &Actor, id: TokenId) -> AppResult<()> {
    let mut tx = app.db.begin().await?;
    let token = tokens::token_by_id(&mut tx, id.0).await?;
    if actor.user_id != Some(UserId(token.user_id)) {
        actor.require(Permission::UsersAdmin)?;
    }
    tokens::revoke_token(&mut tx, id.0, now_us()).await?;
    record(
        &mut tx,
        actor,
        Change {
            entity_type: "api_token",
            entity_id: id.to_string(),
            action: "revoke",
            before: None,
            after: None,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// The actor's own tokens, revoked ones included (to show when they ended).
pub async fn my_tokens(app: &App, actor: &Actor) -> AppResult<Vec<TokenRow>> {
    let id = actor.user_id.ok_or(AppError::Unauthenticated)?;
    Ok(tokens::tokens_of_user(&app.db, id.0).await?)
}

/// Any user's tokens. Needs `users.admin`.
pub async fn tokens_of(app: &App, actor: &Actor, owner: UserId) -> AppResult<Vec<TokenRow>> {
    actor.require(Permission::UsersAdmin)?;
    Ok(tokens::tokens_of_user(&app.db, owner.0).await?)
}
