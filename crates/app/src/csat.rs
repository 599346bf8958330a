//! Customer satisfaction: once the desk has resolved or closed a ticket, its
//! customer rates it from 1 to 5, with a comment if they like, once. The
//! desk sees the rating on the ticket and the average over its queues.

use seam_domain::FieldErrors;
use seam_domain::access::Permission;
use seam_domain::knowledge as rules;
use seam_domain::service::TicketState;
use seam_store::StoreError;
use seam_store::knowledge as store;
pub use seam_store::knowledge::RatingRow;
use seam_store::tickets as ticket_store;
use serde_json::json;

use crate::service;
use crate::{Actor, App, AppError, AppResult, Change, UserKind, now_us, record};

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
    let row = ticket_store::ticket_in_tx(&mut tx, ticket_id).await?;
    if !may_be_rated(service::state_of(&row)) {
        return Err(AppError::Invalid(FieldErrors::one(
            "rating",
            "error-rating-open",
        )));
    }
    let twice = || AppError::Invalid(FieldErrors::one("rating", "error-rating-twice"));
    if store::is_rated(&mut tx, ticket_id).await? {
        return Err(twice());
    }
    let id = match store::insert_rating(
        &mut tx,
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
        &mut tx,
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
    tx.commit().await?;
    Ok(())
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
