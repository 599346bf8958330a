//! The demo's visitor log: who came today, through the same use cases as
//! the desk, so badges, audit events and the hosts' notices are real.

use seam_domain::ids::PartyId;
use seam_domain::reception::VisitDraft;

use crate::reception;
use crate::{Actor, App, AppResult, now_us};

/// A visitor who left, two in the building (one from a known customer) and
/// one expected later today. Runs once: only on an empty visitor log.
pub(super) async fn create_visits(app: &App, actor: &Actor, customer: PartyId) -> AppResult<()> {
    if !reception::list(app, actor, reception::VisitFilter::All, None)
        .await?
        .is_empty()
    {
        return Ok(());
    }
    let sales = reception::host_by_username(app, actor, "sales").await?;
    let manager = reception::host_by_username(app, actor, "manager").await?;
    let visit = |name: &str, company: &str, host: i64, purpose: &str| VisitDraft {
        visitor_name: name.to_owned(),
        visitor_company: company.to_owned(),
        host_user_id: Some(host),
        purpose: purpose.to_owned(),
        agreement_acknowledged: true,
        ..VisitDraft::default()
    };
    let left = reception::check_in(
        app,
        actor,
        &visit(
            "Henrik Aalto",
            "Aalto Consulting",
            manager.id,
            "Quarterly review",
        ),
    )
    .await?;
    reception::check_out(app, actor, left).await?;
    let mut from_customer = visit("Greta Sommer", "", sales.id, "Contract renewal");
    from_customer.party_id = Some(customer.0);
    reception::check_in(app, actor, &from_customer).await?;
    reception::check_in(
        app,
        actor,
        &visit(
            "Omar Haddad",
            "Haddad Facility Services",
            manager.id,
            "Maintenance visit",
        ),
    )
    .await?;
    // Two hours from now, but still today (UTC), so they show as expected today.
    const DAY_US: i64 = 86_400_000_000;
    let now = now_us();
    let day_end = now - now.rem_euclid(DAY_US) + DAY_US;
    let later = (now + 2 * 3_600_000_000).min(day_end - 60_000_000);
    let mut expected = visit("Lucía Moreno", "Moreno Diseño", sales.id, "Product demo");
    expected.expected_at_us = Some(later);
    expected.agreement_acknowledged = false;
    reception::register_expected_visit(app, actor, &expected).await?;
    Ok(())
}
