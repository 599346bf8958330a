//! Customer satisfaction: once the desk has resolved or closed a ticket, its
//! customer rates it from 1 to 5, with a comment if they like, once. The
//! desk sees the rating on the ticket and the average over its queues.
//!
//! A customer without a portal login rates through the link e-mailed when
//! the ticket is resolved or closed (`/csat/{token}`), by the same rules.

use seam_domain::FieldErrors;
use seam_domain::access::Permission;
use seam_domain::knowledge as rules;
use seam_domain::service::TicketState;
use seam_store::StoreError;
use seam_store::knowledge as store;
pub use seam_store::knowledge::RatingRow;
use seam_store::sla as sla_store;
use seam_store::tickets as ticket_store;
use serde_json::json;

use crate::{Actor, App, AppError, AppResult, Change, UserKind, mail, now_us, record, service};

/// Whether a ticket in this state may be rated: the desk has answered it.
pub fn may_be_rated(state: TicketState) -> bool {
    matches!(state, TicketState::Resolved | TicketState::Closed)
}

/// The customer rates their own resolved or closed ticket, 1 to 5, once.
///
/// Errors: [`AppError::Invalid`] naming `rating` (`error-rating-range`;
/// `error-rating-open` while the ticket is still open or pending;
/// `error-rating-twice` when it is rated already) or `comment`
/// (`error-too-long`); [`AppError::NotFound`] for a ticket that is not the
/// customer's (and for staff); [`AppError::Forbidden`] without `portal.use`. Nothing is written on any error.
pub async fn rate_ticket(
    app: &App,
    actor: &Actor,
    ticket_id: i64,
    rating: &str,
    comment: &str,
) -> AppResult<()> {
    actor.require(Permission::PortalUse)?;
    // Staff who open the portal have no ticket of their own to rate.
    if actor.kind != UserKind::Portal {
        return Err(AppError::NotFound);
    }
    let valid = rules::validate_rating(rating, comment)?;
    // Visibility first, so another customer's ticket is "not found".
    service::ticket(app, actor, ticket_id).await?;
    let mut tx = app.db.begin().await?;
    rate_in(&mut tx, actor, ticket_id, &valid).await?;
    tx.commit().await?;
    Ok(())
}

/// The rules of a rating, in the caller's transaction: the ticket is
/// resolved or closed and not rated yet; the rating and its audit event are
/// written. Shared by the portal and the e-mailed link. Returns the rating's id.
async fn rate_in(
    tx: &mut seam_store::Tx,
    actor: &Actor,
    ticket_id: i64,
    valid: &rules::ValidRating,
) -> AppResult<i64> {
    let row = ticket_store::ticket_in_tx(tx, ticket_id).await?;
    if !may_be_rated(service::state_of(&row)) {
        return Err(AppError::Invalid(FieldErrors::one(
            "rating",
            "error-rating-open",
        )));
    }
    let twice = || AppError::Invalid(FieldErrors::one("rating", "error-rating-twice"));
    if store::is_rated(tx, ticket_id).await? {
        return Err(twice());
    }
    let id = match store::insert_rating(
        tx,
        ticket_id,
        valid.rating,
        &valid.comment,
        actor.user_id.map(|u| u.0),
        now_us(),
    )
    .await
    {
        Ok(id) => id,
        Err(StoreError::Duplicate) => return Err(twice()),
        Err(e) => return Err(e.into()),
    };
    record(
        tx,
        actor,
        Change {
            entity_type: "ticket",
            entity_id: ticket_id.to_string(),
            action: "rate",
            before: None,
            after: Some(json!({
                "rating_id": id,
                "rating": valid.rating,
                "comment": valid.comment,
            })),
        },
    )
    .await?;
    Ok(id)
}

/// How long an e-mailed rating link works.
pub const LINK_TTL_US: i64 = 30 * 24 * 3600 * 1_000_000;
/// The prefix of a rating link's token.
const LINK_PREFIX: &str = "csat_";

/// The address e-mailed links start with; "" when none is set.
pub async fn public_url(app: &App) -> AppResult<String> {
    crate::company::public_url(app).await
}

/// Sets the address e-mailed links start with (the company's one public
/// address, shared with marketing's links). Needs `service.admin`.
///
/// Errors: [`AppError::Invalid`] naming `public_url` (`error-url`) unless it
/// is empty or an http(s) address without spaces.
pub async fn set_public_url(app: &App, actor: &Actor, url: &str) -> AppResult<()> {
    actor.require(Permission::ServiceAdmin)?;
    let url = crate::company::check_public_url("public_url", url)?;
    let url = url.as_str();
    let before = public_url(app).await?;
    let mut tx = app.db.begin().await?;
    crate::company::set_public_url_in(&mut tx, url).await?;
    record(
        &mut tx,
        actor,
        Change {
            entity_type: "settings",
            entity_id: "service-public-url".to_owned(),
            action: "update",
            before: Some(json!({ "public_url": before })),
            after: Some(json!({ "public_url": url })),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Queues the e-mail with a rating link to the customer of a ticket just
/// resolved or closed, in that command's transaction: once per ticket, and
/// only when the customer has an address. The token is random; only its
/// SHA-256 is stored, and it works once, for [`LINK_TTL_US`].
pub(crate) async fn send_link_in(
    app: &App,
    tx: &mut seam_store::Tx,
    ticket: &ticket_store::TicketRow,
) -> AppResult<()> {
    if sla_store::has_csat_link(tx, ticket.id).await? || store::is_rated(tx, ticket.id).await? {
        return Ok(());
    }
    let Some(party) = seam_store::parties::party(&app.db, ticket.party_id).await? else {
        return Ok(());
    };
    let Some(to) = party.email.filter(|e| mail::parse_address("to", e).is_ok()) else {
        return Ok(());
    };
    let token = format!("{LINK_PREFIX}{}", seam_store::new_secret());
    let now = now_us();
    sla_store::insert_csat_link(
        tx,
        ticket.id,
        &seam_store::secret_hash(&token),
        now.saturating_add(LINK_TTL_US),
        now,
    )
    .await?;
    let link = format!("{}/csat/{token}", public_url(app).await?);
    mail::enqueue(
        tx,
        &mail::EmailJob {
            to,
            subject: format!("[{}] How did we do?", ticket.number),
            body: format!(
                "Your request {} \"{}\" is resolved.\n\n\
                 Please tell us how we did, from 1 to 5, here:\n{link}\n\n\
                 The link works once, for 30 days.",
                ticket.number, ticket.subject
            ),
            invoice_id: None,
            calendar: None,
        },
    )
    .await?;
    Ok(())
}

/// Where an e-mailed rating link stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkState {
    /// It may be used now.
    Usable,
    Used,
    Expired,
}

/// What the rating page shows for a link.
#[derive(Debug, Clone)]
pub struct LinkView {
    pub number: String,
    pub subject: String,
    pub state: LinkState,
}

async fn link_of(app: &App, token: &str) -> AppResult<sla_store::CsatLinkRow> {
    // A token of the wrong shape cannot be one of ours; no lookup needed.
    if !token.starts_with(LINK_PREFIX) || token.len() > 100 {
        return Err(AppError::NotFound);
    }
    sla_store::csat_link(&app.db, &seam_store::secret_hash(token))
        .await?
        .ok_or(AppError::NotFound)
}

fn link_state(link: &sla_store::CsatLinkRow, now: i64) -> LinkState {
    if link.used_at_us.is_some() {
        LinkState::Used
    } else if link.expires_at_us <= now {
        LinkState::Expired
    } else {
        LinkState::Usable
    }
}

/// The ticket an e-mailed link rates, for the anonymous rating page. The
/// token is the credential.
///
/// Errors: [`AppError::NotFound`] for a token that opens nothing.
pub async fn link(app: &App, token: &str) -> AppResult<LinkView> {
    let link = link_of(app, token).await?;
    let ticket = ticket_store::ticket(&app.db, link.ticket_id)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(LinkView {
        number: ticket.number,
        subject: ticket.subject,
        state: link_state(&link, now_us()),
    })
}

/// Rates a ticket through its e-mailed link, by the rules of
/// [`rate_ticket`]; the link is used up in the same transaction.
///
/// Errors: [`AppError::NotFound`] for a token that opens nothing;
/// [`AppError::Invalid`] naming `token` (`error-csat-link-used`,
/// `error-csat-link-expired`), `rating` or `comment`. Nothing is written on
/// any error.
pub async fn rate_by_link(app: &App, token: &str, rating: &str, comment: &str) -> AppResult<()> {
    let link = link_of(app, token).await?;
    let mut errors = FieldErrors::new();
    match link_state(&link, now_us()) {
        LinkState::Used => errors.add("token", "error-csat-link-used"),
        LinkState::Expired => errors.add("token", "error-csat-link-expired"),
        LinkState::Usable => {}
    }
    let valid = match rules::validate_rating(rating, comment) {
        Ok(v) => Some(v),
        Err(e) => {
            errors.extend(e);
            None
        }
    };
    let Some(valid) = valid else {
        return Err(AppError::Invalid(errors));
    };
    errors.into_result(())?;
    let mut tx = app.db.begin().await?;
    if !sla_store::use_csat_link(&mut tx, link.id, now_us()).await? {
        // Used (or run out) since it was read: a second submission raced this one.
        return Err(AppError::Invalid(FieldErrors::one(
            "token",
            "error-csat-link-used",
        )));
    }
    rate_in(&mut tx, &link_actor(), link.ticket_id, &valid).await?;
    tx.commit().await?;
    Ok(())
}

/// Who a rating through a link is recorded as: the customer holding the
/// link, with no permissions of their own.
fn link_actor() -> Actor {
    Actor {
        user_id: None,
        username: "customer (rating link)".to_owned(),
        display_name: "customer (rating link)".to_owned(),
        kind: UserKind::Portal,
        roles: Vec::new(),
        grants: seam_domain::access::Grants::default(),
        locale: seam_domain::locale::Locale::En,
        time_zone: "UTC".to_owned(),
        party_id: None,
    }
}

/// How the customers rated the tickets of the queues the actor works.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct RatingSummary {
    pub count: i64,
    /// The average × 100, rounded half up (432 is 4.32); 0 with no ratings.
    pub average_centi: i64,
}

/// The ratings of the tickets in the queues the actor works (all of them
/// for the service desk).
///
/// Errors: [`AppError::Forbidden`] for anyone without a seat at the desk.
pub async fn rating_summary(app: &App, actor: &Actor) -> AppResult<RatingSummary> {
    if actor.kind != UserKind::Staff {
        return Err(AppError::Forbidden);
    }
    let queues: Vec<String> = seam_domain::service::Queue::ALL
        .into_iter()
        .filter(|q| actor.may(Permission::ServiceUse) || actor.may(q.permission()))
        .map(|q| q.name().to_owned())
        .collect();
    if queues.is_empty() {
        return Err(AppError::Forbidden);
    }
    let (count, sum) = store::rating_totals(&app.db, &queues).await?;
    let average_centi = if count == 0 {
        0
    } else {
        (sum * 200 + count) / (count * 2)
    };
    Ok(RatingSummary {
        count,
        average_centi,
    })
}
