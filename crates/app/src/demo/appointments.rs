//! The demo's rooms and appointments: two meeting rooms and a projector,
//! a visitor from a known customer later today, and a few meetings today
//! and tomorrow, booked through the same use cases as the desk (conflict
//! checks, invitations, audit events). Runs once: only while there are no
//! resources.

use seam_domain::appointment::{AppointmentDraft, ResourceDraft};
use seam_domain::ids::PartyId;

use crate::{Actor, App, AppResult, appointments, now_us, reception};

const MINUTE_US: i64 = 60_000_000;
const HOUR_US: i64 = 60 * MINUTE_US;
const DAY_US: i64 = 24 * HOUR_US;

async fn resource(
    app: &App,
    actor: &Actor,
    name: &str,
    kind: &str,
    capacity: Option<i64>,
) -> AppResult<i64> {
    let draft = ResourceDraft {
        name: name.to_owned(),
        kind: kind.to_owned(),
        capacity,
        active: true,
    };
    appointments::add_resource(app, actor, &draft).await
}

pub(super) async fn create_appointments(
    app: &App,
    actor: &Actor,
    customer: PartyId,
) -> AppResult<()> {
    if !appointments::resources(app, actor, true).await?.is_empty() {
        return Ok(());
    }
    let fjord = resource(app, actor, "Fjord room", "room", Some(8)).await?;
    let harbour = resource(app, actor, "Harbour room", "room", Some(4)).await?;
    let projector = resource(app, actor, "Projector", "equipment", None).await?;
    let sales = reception::host_by_username(app, actor, "sales").await?.id;
    let manager = reception::host_by_username(app, actor, "manager").await?.id;
    let service = reception::host_by_username(app, actor, "service").await?.id;
    // The next full half hour, at least twenty minutes away.
    let now = now_us();
    let soon = now + 20 * MINUTE_US;
    let soon = soon - soon.rem_euclid(30 * MINUTE_US) + 30 * MINUTE_US;
    let tomorrow = now - now.rem_euclid(DAY_US) + DAY_US;
    let meeting = |title: &str, start: i64, minutes: i64, organiser: i64| AppointmentDraft {
        title: title.to_owned(),
        start_us: Some(start),
        end_us: Some(start + minutes * MINUTE_US),
        organiser_user_id: Some(organiser),
        ..AppointmentDraft::default()
    };
    let mut visit = meeting("Contract renewal", soon, 60, sales);
    visit.resource_ids = vec![fjord, projector];
    visit.attendee_user_ids = vec![manager];
    visit.visitor_name = "Jonas Brandt".to_owned();
    visit.party_id = Some(customer.0);
    visit.notes = "Bring the new price list.".to_owned();
    appointments::book(app, actor, &visit).await?;
    let mut huddle = meeting("Service team huddle", soon + 90 * MINUTE_US, 30, service);
    huddle.resource_ids = vec![harbour];
    appointments::book(app, actor, &huddle).await?;
    let mut review = meeting("Quarterly review", tomorrow + 9 * HOUR_US, 90, manager);
    review.resource_ids = vec![fjord, projector];
    review.attendee_user_ids = vec![sales, service];
    appointments::book(app, actor, &review).await?;
    let mut training = meeting("Product training", tomorrow + 13 * HOUR_US, 60, sales);
    training.resource_ids = vec![harbour];
    training.location = "Second floor".to_owned();
    appointments::book(app, actor, &training).await?;
    Ok(())
}
