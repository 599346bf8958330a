//! The demo's marketing: a segment of the customer companies, and the
//! "coffee-fair" campaign (the code two of the CRM's demo leads carry)
//! already sent, so its page shows recipients in every state that needs no
//! mail server: sent, one bounced and one left out as suppressed, and its
//! attribution to those leads.

use seam_domain::marketing::{CampaignDraft, SegmentDraft};
use seam_store::marketing as store;

use crate::marketing;
use crate::{Actor, App, AppResult, Change, now_us, record};

/// Fills marketing once; does nothing when any segment exists.
pub async fn create_marketing(app: &App, actor: &Actor) -> AppResult<()> {
    if !marketing::segments(app, actor).await?.is_empty() {
        return Ok(());
    }
    let segment = marketing::create_segment(
        app,
        actor,
        &SegmentDraft {
            name: "Customer companies".into(),
            kind: "company".into(),
            overdue: "any".into(),
            ..SegmentDraft::default()
        },
    )
    .await?;
    marketing::create_segment(
        app,
        actor,
        &SegmentDraft {
            name: "Customers without overdue invoices".into(),
            overdue: "exclude".into(),
            ..SegmentDraft::default()
        },
    )
    .await?;
    let id = marketing::create_campaign(
        app,
        actor,
        &CampaignDraft {
            code: "coffee-fair".into(),
            name: "Coffee fair invitation".into(),
            subject: "{{first_name}}, meet us at the coffee fair".into(),
            body:
                "Hello {{name}},\n\nwe show our new office coffee machines at the fair in Malmö. \
                   Come and taste, and tell us what {{company}} needs.\n\n\
                   No more of these? {{unsubscribe_url}}\n"
                    .into(),
            from_address: "Seam Demo Marketing <marketing@example.com>".into(),
            segment_id: Some(segment),
        },
    )
    .await?;
    let members = marketing::segment(app, actor, segment)
        .await?
        .preview
        .members;
    let mut addresses = members.iter().filter_map(|m| m.email.clone());
    if let Some(first) = addresses.next() {
        marketing::add_suppression(app, actor, &first, "asked not to get newsletters").await?;
    }
    marketing::send_campaign(app, actor, id, None).await?;
    mark_sent(app, actor, id).await?;
    if let Some(second) = addresses.next() {
        marketing::record_bounce(app, actor, &second, true, "550 mailbox unavailable").await?;
    }
    Ok(())
}

/// The demo has no mail server: its campaign's queued messages are marked
/// sent as if the sender had sent them, and the campaign finished.
async fn mark_sent(app: &App, actor: &Actor, id: i64) -> AppResult<()> {
    let mut tx = app.db.begin().await?;
    let now = now_us();
    let queued = store::queued_in_tx(&mut tx, id, marketing::RECIPIENTS_MAX as i64).await?;
    for r in &queued {
        store::set_recipient_status(&mut tx, r.id, "queued", "sent", "", now).await?;
    }
    store::move_campaign(&mut tx, id, "sending", "sent", None, now).await?;
    record(
        &mut tx,
        actor,
        Change {
            entity_type: "campaign",
            entity_id: id.to_string(),
            action: "sent",
            before: Some(serde_json::json!({ "state": "sending" })),
            after: Some(serde_json::json!({ "state": "sent", "demo": true, "sent": queued.len() })),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}
