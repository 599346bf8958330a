//! Seam's use cases. One module per business capability; each command checks
//! the actor's permission, runs in one transaction and appends its audit
//! event in that same transaction. The web pages, the JSON API and the CLI all
//! call these functions, so a rule is written once.
//!
//! Invariant: every command starts with `actor.require(..)`; there is no
//! unchecked path to the store.
//! Invariant: a command either commits all its writes and its event, or nothing.
//! Invariant: the acting user comes from the session, token or CLI, never from input.
#![deny(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::todo,
    clippy::await_holding_lock
)]
// Tests state their expectations with unwrap and indexing; a panic there is a failed test.
#![cfg_attr(
    test,
    allow(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic,
        clippy::indexing_slicing
    )
)]

pub mod access_requests;
pub mod appointments;
pub mod audit;
pub mod auth;
pub mod company;
pub mod crm;
pub mod csat;
pub mod csv_file;
pub mod customer_view;
pub mod demo;
pub mod fulfilment;
pub mod generate;
pub mod helpdesk;
pub mod hr;
pub mod idempotency;
pub mod invoicing;
pub mod it;
pub mod jobs;
pub mod knowledge;
pub mod ledger;
pub mod mail;
pub mod marketing;
pub mod notifications;
pub mod onboarding;
pub mod parties;
pub mod payroll;
pub mod portal;
pub mod price_lists;
pub mod products;
pub mod quotes;
pub mod reception;
pub mod sales;
pub mod service;
pub mod sla;
pub mod stock;
pub mod ticket_mail;
pub mod tokens;
pub mod users;
pub mod vcard;

use seam_domain::FieldErrors;
use seam_domain::access::{Grants, Permission, Role};
use seam_domain::ids::{PartyId, UserId};
use seam_domain::locale::Locale;
pub use seam_store::{Backend, Db, StoreError, now_us};
use seam_store::{Tx, events};

/// The running application: the database and nothing else, so any number of
/// nodes can serve the same business.
#[derive(Debug, Clone)]
pub struct App {
    pub db: Db,
}

impl App {
    pub fn new(db: Db) -> App {
        App { db }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UserKind {
    Staff,
    Portal,
}

/// Who is acting, with what they may do. Built from a session, an API token,
/// or the CLI; never from request input.
#[derive(Debug, Clone)]
pub struct Actor {
    /// `None` for the system itself (the CLI acting before any user exists, the demo loader).
    pub user_id: Option<UserId>,
    pub username: String,
    pub display_name: String,
    pub kind: UserKind,
    pub roles: Vec<Role>,
    pub grants: Grants,
    pub locale: Locale,
    pub time_zone: String,
    pub party_id: Option<PartyId>,
}

impl Actor {
    /// The operator at the server's console: may do everything, recorded as `system`.
    pub fn system(label: &str) -> Actor {
        Actor {
            user_id: None,
            username: label.to_owned(),
            display_name: label.to_owned(),
            kind: UserKind::Staff,
            roles: vec![Role::Admin],
            grants: Grants::for_roles(&[Role::Admin]),
            locale: Locale::En,
            time_zone: "UTC".to_owned(),
            party_id: None,
        }
    }

    /// Errors: [`AppError::Forbidden`] unless the actor holds `permission`.
    pub fn require(&self, permission: Permission) -> Result<(), AppError> {
        if self.grants.allows(permission) {
            Ok(())
        } else {
            Err(AppError::Forbidden)
        }
    }

    pub fn may(&self, permission: Permission) -> bool {
        self.grants.allows(permission)
    }
}

/// What a use case can fail with. The web layer turns each into a page or a
/// problem+json; the CLI into one line and a non-zero exit.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("not logged in")]
    Unauthenticated,
    #[error("not allowed")]
    Forbidden,
    #[error("not found")]
    NotFound,
    /// The input breaks rules; one entry per field.
    #[error("invalid input")]
    Invalid(FieldErrors),
    /// The request is well-formed but clashes with the current state. The
    /// code is a message-catalogue key (`error-stale`, `error-username-taken`).
    #[error("conflict: {0}")]
    Conflict(&'static str),
    /// Too many failed logins; try again after this time.
    #[error("locked until {until_us}")]
    Locked { until_us: i64 },
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl From<StoreError> for AppError {
    fn from(err: StoreError) -> AppError {
        match err {
            StoreError::NotFound => AppError::NotFound,
            StoreError::Stale => AppError::Conflict("error-stale"),
            StoreError::Duplicate => AppError::Conflict("error-duplicate"),
            StoreError::InsufficientStock => AppError::Conflict("error-stock-insufficient"),
            other => AppError::Internal(anyhow::Error::new(other)),
        }
    }
}

impl From<FieldErrors> for AppError {
    fn from(errors: FieldErrors) -> AppError {
        AppError::Invalid(errors)
    }
}

pub type AppResult<T> = Result<T, AppError>;

/// Today's date in UTC: what a date left empty means.
pub fn today() -> seam_domain::ledger::Date {
    let d = jiff::Timestamp::now()
        .to_zoned(jiff::tz::TimeZone::UTC)
        .date();
    seam_domain::ledger::Date {
        year: d.year(),
        month: d.month(),
        day: d.day(),
    }
}

/// What changed, for the audit journal: JSON text of the record before and after.
pub struct Change<'a> {
    pub entity_type: &'a str,
    pub entity_id: String,
    pub action: &'a str,
    pub before: Option<serde_json::Value>,
    pub after: Option<serde_json::Value>,
}

/// [`record`] for a change that leaves the record in place (`after` is
/// always there): the entity's id as any displayable value.
pub(crate) async fn record_event(
    tx: &mut Tx,
    actor: &Actor,
    entity_type: &str,
    entity_id: impl ToString,
    action: &str,
    before: Option<serde_json::Value>,
    after: serde_json::Value,
) -> AppResult<()> {
    record(
        tx,
        actor,
        Change {
            entity_type,
            entity_id: entity_id.to_string(),
            action,
            before,
            after: Some(after),
        },
    )
    .await
}

/// Records the audit event for `change` in the command's transaction; it
/// joins the chain when the transaction commits.
pub async fn record(tx: &mut Tx, actor: &Actor, change: Change<'_>) -> AppResult<()> {
    let text = |v: &Option<serde_json::Value>| {
        v.as_ref()
            .map(serde_json::Value::to_string)
            .unwrap_or_default()
    };
    let before = text(&change.before);
    let after = text(&change.after);
    let event = events::NewEvent {
        actor_id: actor.user_id.map(|id| id.0),
        actor_name: &actor.username,
        entity_type: change.entity_type,
        entity_id: &change.entity_id,
        action: change.action,
        before: &before,
        after: &after,
    };
    events::append_event(tx, &event);
    Ok(())
}
