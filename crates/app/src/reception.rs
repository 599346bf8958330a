//! Reception's visitor log: register expected visitors, check visitors in
//! (a badge, and a notification with an e-mail to their host, in the same
//! transaction) and out, and see who is in the building. Needs `reception.use`.

use seam_domain::FieldErrors;
use seam_domain::access::Permission;
use seam_domain::ids::{PartyId, UserId};
use seam_domain::reception::{self, ValidVisit, VisitDraft};
use seam_store::Tx;
use seam_store::parties as party_store;
use seam_store::reception as store;
pub use seam_store::reception::{HostRow, VisitFilter, VisitRow};
use serde_json::json;

use crate::customer_view::{self, CustomerView};
use crate::notifications::{self, EmailText, Notice};
use crate::{Actor, App, AppError, AppResult, Change, now_us, record};

/// Visits per page of a list.
pub const PAGE_SIZE: i64 = 50;
const DAY_US: i64 = 86_400_000_000;

/// What the audit journal and the API keep of a visit.
pub fn visit_json(row: &VisitRow) -> serde_json::Value {
    json!({
        "visitor_name": row.visitor_name,
        "visitor_company": row.visitor_company,
        "party_id": row.party_id,
        "host_user_id": row.host_user_id,
        "purpose": row.purpose,
        "badge_number": row.badge_number,
        "expected_at_us": row.expected_at_us,
        "checked_in_at_us": row.checked_in_at_us,
        "checked_out_at_us": row.checked_out_at_us,
        "agreement_acknowledged": row.agreement_acknowledged,
    })
}

/// The host must be an enabled staff user, the company a known company.
async fn check_refs(tx: &mut Tx, visit: &ValidVisit) -> AppResult<store::HostRow> {
    let mut errors = FieldErrors::new();
    let host = store::host(tx, visit.host_user_id).await?;
    if host.is_none() {
        errors.add("host_user_id", "error-unknown-host");
    }
    if let Some(party) = visit.party_id
        && party_store::existing_company_ids(tx, &[party])
            .await?
            .is_empty()
    {
        errors.add("party_id", "error-unknown-company");
    }
    match host {
        Some(host) if errors.is_empty() => Ok(host),
        _ => Err(AppError::Invalid(errors)),
    }
}

async fn insert(tx: &mut Tx, actor: &Actor, visit: &ValidVisit) -> AppResult<i64> {
    let new = store::NewVisit {
        visitor_name: &visit.visitor_name,
        visitor_company: &visit.visitor_company,
        party_id: visit.party_id,
        host_user_id: visit.host_user_id,
        purpose: &visit.purpose,
        expected_at_us: visit.expected_at_us,
        agreement_acknowledged: visit.agreement_acknowledged,
        created_by: &actor.username,
    };
    Ok(store::insert(tx, &new, now_us()).await?)
}

/// Registers a visitor who is expected (not yet here).
pub async fn register_expected_visit(
    app: &App,
    actor: &Actor,
    draft: &VisitDraft,
) -> AppResult<i64> {
    actor.require(Permission::ReceptionUse)?;
    let valid = reception::validate(draft)?;
    if valid.expected_at_us.is_none() {
        return Err(AppError::Invalid(FieldErrors::one(
            "expected_at",
            "error-required",
        )));
    }
    let mut tx = app.db.begin().await?;
    check_refs(&mut tx, &valid).await?;
    let id = insert(&mut tx, actor, &valid).await?;
    let row = store::visit_in_tx(&mut tx, id).await?;
    record(
        &mut tx,
        actor,
        Change {
            entity_type: "visit",
            entity_id: id.to_string(),
            action: "register",
            before: None,
            after: Some(visit_json(&row)),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// The day of `at_us` in UTC as `YYYYMMDD`.
fn day_of(at_us: i64) -> String {
    jiff::Timestamp::from_microsecond(at_us)
        .map(|t| t.to_zoned(jiff::tz::TimeZone::UTC).date())
        .map(|d| format!("{:04}{:02}{:02}", d.year(), d.month(), d.day()))
        .unwrap_or_else(|_| "00000000".to_owned())
}

/// Gives the visit its badge, marks it in, records the event and notifies
/// the host, all in `tx`.
async fn arrive(
    app: &App,
    tx: &mut Tx,
    actor: &Actor,
    id: i64,
    agreement_acknowledged: bool,
) -> AppResult<()> {
    let before = store::visit_in_tx(tx, id).await?;
    if before.checked_in_at_us.is_some() {
        return Err(AppError::Conflict("error-visit-state"));
    }
    let now = now_us();
    let prefix = format!("V-{}-", day_of(now));
    let nth = store::badges_with_prefix(tx, &prefix).await? + 1;
    let badge = reception::badge_number(&day_of(now), nth);
    store::set_checked_in(tx, id, &badge, agreement_acknowledged, now)
        .await
        .map_err(|e| match e {
            seam_store::StoreError::Stale => AppError::Conflict("error-visit-state"),
            other => other.into(),
        })?;
    let after = store::visit_in_tx(tx, id).await?;
    record(
        tx,
        actor,
        Change {
            entity_type: "visit",
            entity_id: id.to_string(),
            action: "check_in",
            before: Some(visit_json(&before)),
            after: Some(visit_json(&after)),
        },
    )
    .await?;
    let who = if after.visitor_company.is_empty() {
        after.visitor_name.clone()
    } else {
        format!("{} ({})", after.visitor_name, after.visitor_company)
    };
    let link = format!("/reception/visits/{id}");
    let mut body = format!("{who} has arrived at reception for you.\n");
    if !after.purpose.is_empty() {
        body.push_str(&format!("Purpose: {}\n", after.purpose));
    }
    body.push_str(&format!("Badge: {badge}\n"));
    notifications::notify(
        app,
        tx,
        &Notice {
            user_id: UserId(after.host_user_id),
            kind: "visitor-arrived",
            subject: &who,
            link: &link,
            email: Some(EmailText {
                subject: format!("{who} has arrived at reception"),
                body,
            }),
        },
    )
    .await?;
    Ok(())
}

/// Checks in a walk-in visitor: writes the visit, gives a badge and
/// notifies the host (in-app and by e-mail) in one transaction.
pub async fn check_in(app: &App, actor: &Actor, draft: &VisitDraft) -> AppResult<i64> {
    let mut tx = app.db.begin().await?;
    let id = check_in_in(app, &mut tx, actor, draft).await?;
    tx.commit().await?;
    Ok(id)
}

/// [`check_in`] inside the caller's transaction, for a command that checks
/// a visitor in as part of its own change (an appointment's visitor).
pub async fn check_in_in(
    app: &App,
    tx: &mut Tx,
    actor: &Actor,
    draft: &VisitDraft,
) -> AppResult<i64> {
    actor.require(Permission::ReceptionUse)?;
    let valid = reception::validate(draft)?;
    check_refs(tx, &valid).await?;
    let id = insert(tx, actor, &valid).await?;
    arrive(app, tx, actor, id, valid.agreement_acknowledged).await?;
    Ok(id)
}

/// Checks in a visitor who was registered as expected.
///
/// Errors: [`AppError::Conflict`] (`error-visit-state`) when already in.
pub async fn check_in_expected(
    app: &App,
    actor: &Actor,
    id: i64,
    agreement_acknowledged: bool,
) -> AppResult<()> {
    actor.require(Permission::ReceptionUse)?;
    let mut tx = app.db.begin().await?;
    arrive(app, &mut tx, actor, id, agreement_acknowledged).await?;
    tx.commit().await?;
    Ok(())
}

/// Checks a visitor out now.
///
/// Errors: [`AppError::Conflict`] (`error-visit-state`) when the visit is not
/// checked in, or already out.
pub async fn check_out(app: &App, actor: &Actor, id: i64) -> AppResult<()> {
    actor.require(Permission::ReceptionUse)?;
    let mut tx = app.db.begin().await?;
    let before = store::visit_in_tx(&mut tx, id).await?;
    let (Some(in_us), None) = (before.checked_in_at_us, before.checked_out_at_us) else {
        return Err(AppError::Conflict("error-visit-state"));
    };
    let out_us = reception::check_out_time(in_us, now_us().max(in_us))?;
    store::set_checked_out(&mut tx, id, out_us)
        .await
        .map_err(|e| match e {
            seam_store::StoreError::Stale => AppError::Conflict("error-visit-state"),
            other => other.into(),
        })?;
    let after = store::visit_in_tx(&mut tx, id).await?;
    record(
        &mut tx,
        actor,
        Change {
            entity_type: "visit",
            entity_id: id.to_string(),
            action: "check_out",
            before: Some(visit_json(&before)),
            after: Some(visit_json(&after)),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// One visit.
pub async fn visit(app: &App, actor: &Actor, id: i64) -> AppResult<VisitRow> {
    actor.require(Permission::ReceptionUse)?;
    store::visit(&app.db, id).await?.ok_or(AppError::NotFound)
}

/// A visit with its company's card, when it names a known company and the
/// actor may read parties (the card's sections follow the actor's permissions).
pub async fn visit_with_card(
    app: &App,
    actor: &Actor,
    id: i64,
) -> AppResult<(VisitRow, Option<CustomerView>)> {
    let row = visit(app, actor, id).await?;
    let card = match row.party_id {
        Some(party) if actor.may(Permission::PartiesRead) => {
            Some(customer_view::customer_view(app, actor, PartyId(party)).await?)
        }
        _ => None,
    };
    Ok((row, card))
}

/// Visits newest first, [`PAGE_SIZE`] at a time below `before` (keyset).
pub async fn list(
    app: &App,
    actor: &Actor,
    filter: VisitFilter,
    before: Option<i64>,
) -> AppResult<Vec<VisitRow>> {
    actor.require(Permission::ReceptionUse)?;
    Ok(store::list(&app.db, filter, before, PAGE_SIZE).await?)
}

/// Who is in the building now: checked in, not out.
pub async fn in_building_now(app: &App, actor: &Actor) -> AppResult<Vec<VisitRow>> {
    list(app, actor, VisitFilter::InBuilding, None).await
}

/// Today's (UTC) filter for expected visitors not yet in.
pub fn today_filter() -> VisitFilter {
    let now = now_us();
    let from_us = now - now.rem_euclid(DAY_US);
    VisitFilter::Expected {
        from_us,
        to_us: from_us + DAY_US,
    }
}

/// Visitors expected today (UTC) who have not checked in yet.
pub async fn expected_today(app: &App, actor: &Actor) -> AppResult<Vec<VisitRow>> {
    list(app, actor, today_filter(), None).await
}

/// The staff a visitor may come to see, for the host picker.
pub async fn hosts(app: &App, actor: &Actor) -> AppResult<Vec<HostRow>> {
    actor.require(Permission::ReceptionUse)?;
    Ok(store::hosts(&app.db).await?)
}

/// The host with this username, for the CLI.
pub async fn host_by_username(app: &App, actor: &Actor, username: &str) -> AppResult<HostRow> {
    hosts(app, actor)
        .await?
        .into_iter()
        .find(|h| h.username == username.trim())
        .ok_or_else(|| AppError::Invalid(FieldErrors::one("host", "error-unknown-host")))
}

/// Reads when an expected visitor comes: empty is `None`; an RFC 3339 time
/// (`2026-05-04T09:30:00Z`), or a local `YYYY-MM-DDTHH:MM` (what a browser's
/// date-time field sends) in `time_zone`.
///
/// Errors: `expected_at` with `error-datetime`.
pub fn parse_expected_at(text: &str, time_zone: &str) -> Result<Option<i64>, FieldErrors> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    let bad = || FieldErrors::one("expected_at", "error-datetime");
    if let Ok(at) = text.parse::<jiff::Timestamp>() {
        return Ok(Some(at.as_microsecond()));
    }
    let local = text
        .replace(' ', "T")
        .parse::<jiff::civil::DateTime>()
        .map_err(|_| bad())?;
    let zone = jiff::tz::TimeZone::get(time_zone).unwrap_or(jiff::tz::TimeZone::UTC);
    let at = local.to_zoned(zone).map_err(|_| bad())?;
    Ok(Some(at.timestamp().as_microsecond()))
}
