//! Marketing: segments (saved, typed filters over parties and their
//! history), e-mail campaigns to a segment with merge fields, sent by a
//! throttled job over SMTP with one-click unsubscribe (RFC 8058), the
//! consent history and the suppression list every send honours, bounces,
//! and the attribution of leads, wins and invoiced revenue to a campaign.
//!
//! Everything needs `marketing.use`, except the unsubscribe page, where
//! the token in the link is the only credential.

use std::collections::{HashMap, HashSet};

use lettre::message::header::{ContentType, HeaderName, HeaderValue};
use lettre::message::{Mailbox, SinglePart};
use lettre::{AsyncTransport, Message};
use seam_domain::FieldErrors;
use seam_domain::access::Permission;
use seam_domain::crm::email_key;
use seam_domain::ledger::format_amount;
use seam_domain::marketing::{
    self as rules, AttributedInvoice, AttributedLead, AttributedOpportunity, Attribution, Bought,
    CAMPAIGN_STATE_ERROR, CampaignDraft, CampaignState, ConsentState, MergeValues, OverdueRule,
    RecipientStatus, SegmentDraft, SegmentFilter, SuppressionReason, Totals, ValidCampaign,
};
use seam_store::Tx;
use seam_store::jobs as job_store;
use seam_store::marketing as store;
pub use seam_store::marketing::{
    CampaignLeadRow, CampaignRow, ConsentRow, LeadOpportunityRow, MemberRow, RecipientRow,
    SegmentRow, SuppressionRow,
};
use seam_store::settings;
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::csv_file::CsvOut;
use crate::jobs::JobError;
use crate::record_event as audit;
use crate::{Actor, App, AppError, AppResult, Change, mail, now_us, record};

/// Members, recipients, campaigns or suppressions per page.
pub const PAGE_SIZE: i64 = 50;
/// The most segments a list shows.
pub const SEGMENTS_MAX: i64 = 500;
/// The most recipients one campaign snapshots.
pub const RECIPIENTS_MAX: usize = 100_000;
/// How many members the snapshot reads and writes per statement.
const SNAPSHOT_BATCH: i64 = 500;
/// The most leads attribution reads for one campaign.
pub const ATTRIBUTION_LEADS_MAX: i64 = 10_000;
/// The most rows the suppression list's CSV holds.
pub const SUPPRESSIONS_CSV_MAX: i64 = 100_000;
/// The job that sends one tick of a campaign.
pub const SEND_JOB: &str = "campaign-send";
/// The setting: how many messages one tick sends.
pub const RATE_SETTING: &str = "marketing.rate_per_tick";
/// The setting: seconds between two ticks of one campaign.
pub const TICK_SETTING: &str = "marketing.tick_seconds";
pub const RATE_DEFAULT: i64 = 20;
pub const RATE_MAX: i64 = 1_000;
pub const TICK_DEFAULT_S: i64 = 60;
pub const TICK_MAX_S: i64 = 86_400;
pub const BASE_URL_DEFAULT: &str = "http://localhost:8080";
/// The header naming the campaign recipient a message went to.
pub const RECIPIENT_HEADER: &str = "X-Seam-Recipient";

fn stale_as(code: &'static str) -> impl Fn(seam_store::StoreError) -> AppError {
    move |e| match e {
        seam_store::StoreError::Stale => AppError::Conflict(code),
        other => other.into(),
    }
}

// ---------------------------------------------------------------- segments

/// A segment's filter as stored: plain JSON of the typed filter.
#[derive(Debug, Default, Serialize, Deserialize)]
struct StoredFilter {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    kind: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    country: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    tag: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    bought_sku: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    bought_days: Option<i64>,
    #[serde(default)]
    overdue: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    created_days: Option<i64>,
    #[serde(default)]
    consent: bool,
}

/// The filter as the JSON a segment row keeps (and the API shows).
pub fn filter_json(filter: &SegmentFilter) -> serde_json::Value {
    let stored = StoredFilter {
        kind: filter.kind.clone(),
        country: filter.country.clone(),
        tag: filter.tag.clone(),
        bought_sku: filter.bought.as_ref().map(|b| b.sku.clone()),
        bought_days: filter.bought.as_ref().map(|b| b.days),
        overdue: filter.overdue.name().to_owned(),
        created_days: filter.created_days,
        consent: filter.consent,
    };
    serde_json::to_value(stored).unwrap_or_default()
}

/// The filter a segment row keeps.
///
/// Errors: [`AppError::Internal`] when the stored JSON is not a filter (a programmer error).
pub fn filter_of(row: &SegmentRow) -> AppResult<SegmentFilter> {
    let stored: StoredFilter = serde_json::from_str(&row.definition)
        .map_err(|e| AppError::Internal(anyhow::anyhow!("segment {} definition: {e}", row.id)))?;
    Ok(SegmentFilter {
        kind: stored.kind,
        country: stored.country,
        tag: stored.tag,
        bought: match (stored.bought_sku, stored.bought_days) {
            (Some(sku), Some(days)) => Some(Bought { sku, days }),
            _ => None,
        },
        overdue: OverdueRule::parse(&stored.overdue).unwrap_or_default(),
        created_days: stored.created_days,
        consent: stored.consent,
    })
}

fn days_ago(days: i64) -> String {
    let today = crate::today();
    jiff::civil::Date::new(today.year, today.month, today.day)
        .ok()
        .and_then(|d| d.checked_sub(jiff::Span::new().days(days)).ok())
        .map(|d| d.to_string())
        .unwrap_or_else(|| "1900-01-01".to_owned())
}

/// What the store evaluates for `filter` today.
fn query_of(filter: &SegmentFilter, with_email: bool) -> store::SegmentQuery {
    store::SegmentQuery {
        kind: filter.kind.clone(),
        country: filter.country.clone(),
        tag: filter.tag.clone(),
        bought: filter
            .bought
            .as_ref()
            .map(|b| (b.sku.clone(), days_ago(b.days))),
        overdue: match filter.overdue {
            OverdueRule::Any => None,
            OverdueRule::Only => Some(true),
            OverdueRule::Exclude => Some(false),
        },
        today: crate::today().iso(),
        created_since_us: filter
            .created_days
            .map(|d| now_us().saturating_sub(d.saturating_mul(86_400_000_000))),
        consent: filter.consent,
        with_email,
    }
}

/// Checks a segment draft, including that its product exists.
async fn valid_segment(tx: &mut Tx, draft: &SegmentDraft) -> AppResult<rules::ValidSegment> {
    let valid = rules::validate_segment(draft)?;
    if let Some(bought) = &valid.filter.bought {
        let found =
            seam_store::products::existing_skus(tx, std::slice::from_ref(&bought.sku)).await?;
        if !found.contains(&bought.sku) {
            return Err(FieldErrors::one("bought_sku", "error-product-unknown").into());
        }
    }
    Ok(valid)
}

/// Saves a new segment. Needs `marketing.use`. Returns its id.
///
/// Errors: field errors of `seam_domain::marketing::validate_segment`, and
/// `bought_sku` with `error-product-unknown`.
pub async fn create_segment(app: &App, actor: &Actor, draft: &SegmentDraft) -> AppResult<i64> {
    actor.require(Permission::MarketingUse)?;
    rules::validate_segment(draft)?;
    let mut tx = app.db.begin().await?;
    let valid = valid_segment(&mut tx, draft).await?;
    let definition = filter_json(&valid.filter);
    let id = store::insert_segment(
        &mut tx,
        &valid.name,
        &definition.to_string(),
        &actor.username,
        now_us(),
    )
    .await?;
    let after = json!({ "name": valid.name, "filter": definition });
    audit(
        &mut tx,
        actor,
        "segment",
        &id.to_string(),
        "create",
        None,
        after,
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// Saves an edit of a segment made to `version`. Needs `marketing.use`.
///
/// Errors: as [`create_segment`]; [`AppError::NotFound`];
/// [`AppError::Conflict`] (`error-stale`) when it changed meanwhile.
pub async fn update_segment(
    app: &App,
    actor: &Actor,
    id: i64,
    version: i64,
    draft: &SegmentDraft,
) -> AppResult<()> {
    actor.require(Permission::MarketingUse)?;
    rules::validate_segment(draft)?;
    let mut tx = app.db.begin().await?;
    let before = store::segment_in_tx(&mut tx, id).await?;
    let valid = valid_segment(&mut tx, draft).await?;
    let definition = filter_json(&valid.filter);
    store::update_segment(
        &mut tx,
        id,
        version,
        &valid.name,
        &definition.to_string(),
        now_us(),
    )
    .await
    .map_err(stale_as("error-stale"))?;
    let was: serde_json::Value = serde_json::from_str(&before.definition).unwrap_or_default();
    audit(
        &mut tx,
        actor,
        "segment",
        &id.to_string(),
        "update",
        Some(json!({ "name": before.name, "filter": was })),
        json!({ "name": valid.name, "filter": definition }),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Every segment by name. Needs `marketing.use`.
pub async fn segments(app: &App, actor: &Actor) -> AppResult<Vec<SegmentRow>> {
    actor.require(Permission::MarketingUse)?;
    Ok(store::list_segments(&app.db, SEGMENTS_MAX).await?)
}

/// A segment with its member count and the first page of its members.
#[derive(Debug, Clone)]
pub struct SegmentDetail {
    pub segment: SegmentRow,
    pub filter: SegmentFilter,
    pub preview: Preview,
}

/// How many parties a filter holds, how many of them have an address, and the first members.
#[derive(Debug, Clone)]
pub struct Preview {
    pub count: i64,
    pub with_email: i64,
    pub members: Vec<MemberRow>,
}

async fn preview_of(app: &App, filter: &SegmentFilter, after: i64) -> AppResult<Preview> {
    let all = query_of(filter, false);
    let mailable = query_of(filter, true);
    let (count, with_email, members) = tokio::try_join!(
        store::count_members(&app.db, &all),
        store::count_members(&app.db, &mailable),
        store::members(&app.db, &all, after, PAGE_SIZE),
    )?;
    Ok(Preview {
        count,
        with_email,
        members,
    })
}

/// One segment and its preview. Needs `marketing.use`.
///
/// Errors: [`AppError::NotFound`].
pub async fn segment(app: &App, actor: &Actor, id: i64) -> AppResult<SegmentDetail> {
    actor.require(Permission::MarketingUse)?;
    let row = store::segment(&app.db, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let filter = filter_of(&row)?;
    let preview = preview_of(app, &filter, 0).await?;
    Ok(SegmentDetail {
        segment: row,
        filter,
        preview,
    })
}

/// A page of a segment's members after party `after`. Needs `marketing.use`.
pub async fn members(app: &App, actor: &Actor, id: i64, after: i64) -> AppResult<Vec<MemberRow>> {
    actor.require(Permission::MarketingUse)?;
    let row = store::segment(&app.db, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let filter = filter_of(&row)?;
    Ok(store::members(&app.db, &query_of(&filter, false), after, PAGE_SIZE).await?)
}

/// The count and first members of a filter that is not saved. Needs `marketing.use`.
///
/// Errors: field errors as [`create_segment`].
pub async fn preview(app: &App, actor: &Actor, draft: &SegmentDraft) -> AppResult<Preview> {
    actor.require(Permission::MarketingUse)?;
    let valid = rules::validate_segment(draft)?;
    preview_of(app, &valid.filter, 0).await
}

// ---------------------------------------------------------------- campaigns

/// What the audit journal and the API keep of a campaign.
pub fn campaign_json(row: &CampaignRow) -> serde_json::Value {
    json!({
        "code": row.code,
        "name": row.name,
        "subject": row.subject,
        "body": row.body,
        "from_address": row.from_address,
        "segment_id": row.segment_id,
        "state": row.state,
        "scheduled_at_us": row.scheduled_at_us,
    })
}

/// The state a campaign row is in (the schema's check rules out others).
pub fn state_of(row: &CampaignRow) -> CampaignState {
    CampaignState::parse(&row.state).unwrap_or(CampaignState::Sent)
}

/// Checks a campaign draft: the domain's rules, the sender, and that the segment exists.
async fn valid_campaign(tx: &mut Tx, draft: &CampaignDraft) -> AppResult<(ValidCampaign, String)> {
    let mut errors = FieldErrors::new();
    let valid = match rules::validate_campaign(draft) {
        Ok(v) => Some(v),
        Err(e) => {
            errors.extend(e);
            None
        }
    };
    let from = match draft.from_address.trim() {
        "" => {
            errors.add("from_address", "error-required");
            String::new()
        }
        text => match text.parse::<Mailbox>() {
            Ok(mailbox) => mailbox.to_string(),
            Err(_) => {
                errors.add("from_address", "error-email");
                String::new()
            }
        },
    };
    let valid = errors.into_result(valid)?;
    let Some(valid) = valid else {
        return Err(AppError::Internal(anyhow::anyhow!(
            "a campaign without errors has no value"
        )));
    };
    if store::segment_in_tx(tx, valid.segment_id).await.is_err() {
        return Err(FieldErrors::one("segment_id", "error-segment-unknown").into());
    }
    Ok((valid, from))
}

fn fields<'a>(valid: &'a ValidCampaign, from: &'a str) -> store::CampaignFields<'a> {
    store::CampaignFields {
        code: &valid.code,
        name: &valid.name,
        subject: &valid.subject,
        body: &valid.body,
        from_address: from,
        segment_id: valid.segment_id,
    }
}

fn code_taken(e: seam_store::StoreError) -> AppError {
    match e {
        seam_store::StoreError::Duplicate => {
            FieldErrors::one("code", "error-campaign-code-taken").into()
        }
        other => other.into(),
    }
}

/// Saves a new draft campaign. Needs `marketing.use`. Returns its id.
///
/// Errors: field errors of `seam_domain::marketing::validate_campaign`;
/// `from_address` (`error-required`, `error-email`); `segment_id`
/// (`error-segment-unknown`); `code` (`error-campaign-code-taken`).
pub async fn create_campaign(app: &App, actor: &Actor, draft: &CampaignDraft) -> AppResult<i64> {
    actor.require(Permission::MarketingUse)?;
    let mut tx = app.db.begin().await?;
    let (valid, from) = valid_campaign(&mut tx, draft).await?;
    let id = store::insert_campaign(&mut tx, &fields(&valid, &from), &actor.username, now_us())
        .await
        .map_err(code_taken)?;
    let row = store::campaign_in_tx(&mut tx, id).await?;
    audit(
        &mut tx,
        actor,
        "campaign",
        &id.to_string(),
        "create",
        None,
        campaign_json(&row),
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// Saves an edit of a draft campaign made to `version`. Needs `marketing.use`.
///
/// Errors: as [`create_campaign`]; [`AppError::NotFound`];
/// [`AppError::Conflict`] with `error-campaign-state` (not a draft any
/// more) or `error-stale` (changed meanwhile).
pub async fn update_campaign(
    app: &App,
    actor: &Actor,
    id: i64,
    version: i64,
    draft: &CampaignDraft,
) -> AppResult<()> {
    actor.require(Permission::MarketingUse)?;
    let mut tx = app.db.begin().await?;
    let before = store::campaign_in_tx(&mut tx, id).await?;
    if !state_of(&before).editable() {
        return Err(AppError::Conflict(CAMPAIGN_STATE_ERROR));
    }
    let (valid, from) = valid_campaign(&mut tx, draft).await?;
    store::update_campaign(&mut tx, id, version, &fields(&valid, &from), now_us())
        .await
        .map_err(|e| match e {
            seam_store::StoreError::Stale => AppError::Conflict("error-stale"),
            other => code_taken(other),
        })?;
    let after = store::campaign_in_tx(&mut tx, id).await?;
    audit(
        &mut tx,
        actor,
        "campaign",
        &id.to_string(),
        "update",
        Some(campaign_json(&before)),
        campaign_json(&after),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Campaigns newest first, a page with ids below `before`. Needs `marketing.use`.
pub async fn campaigns(
    app: &App,
    actor: &Actor,
    before: Option<i64>,
) -> AppResult<Vec<CampaignRow>> {
    actor.require(Permission::MarketingUse)?;
    Ok(store::list_campaigns(&app.db, before, PAGE_SIZE).await?)
}

/// A campaign with its recipients counted by status and the first page of them.
#[derive(Debug, Clone)]
pub struct CampaignDetail {
    pub campaign: CampaignRow,
    pub counts: Vec<(String, i64)>,
    pub recipients: Vec<RecipientRow>,
}

/// One campaign. Needs `marketing.use`.
///
/// Errors: [`AppError::NotFound`].
pub async fn campaign(app: &App, actor: &Actor, id: i64) -> AppResult<CampaignDetail> {
    actor.require(Permission::MarketingUse)?;
    let (row, counts, recipients) = tokio::try_join!(
        store::campaign(&app.db, id),
        store::recipient_counts(&app.db, id),
        store::recipients(&app.db, id, None, 0, PAGE_SIZE),
    )?;
    Ok(CampaignDetail {
        campaign: row.ok_or(AppError::NotFound)?,
        counts,
        recipients,
    })
}

/// A page of a campaign's recipients after `after`, in one status if given. Needs `marketing.use`.
pub async fn recipients(
    app: &App,
    actor: &Actor,
    id: i64,
    status: Option<RecipientStatus>,
    after: i64,
) -> AppResult<Vec<RecipientRow>> {
    actor.require(Permission::MarketingUse)?;
    Ok(store::recipients(
        &app.db,
        id,
        status.map(RecipientStatus::name),
        after,
        PAGE_SIZE,
    )
    .await?)
}

/// The first name a message greets: a person's first word, else the whole name.
fn first_name_of(member: &MemberRow) -> String {
    if member.kind == "person" {
        member
            .name
            .split_whitespace()
            .next()
            .unwrap_or(&member.name)
            .to_owned()
    } else {
        member.name.clone()
    }
}

/// Takes the campaign's recipients from its segment as it is now, one row
/// per address; suppressed addresses are written as `suppressed`, so the
/// campaign shows who was left out and why. Returns how many rows it wrote.
async fn snapshot(tx: &mut Tx, campaign: &CampaignRow) -> AppResult<usize> {
    let segment = store::segment_in_tx(tx, campaign.segment_id).await?;
    let query = query_of(&filter_of(&segment)?, true);
    let mut seen: HashSet<String> = HashSet::new();
    let mut after = 0;
    let mut written = 0;
    loop {
        let page = store::members_in_tx(tx, &query, after, SNAPSHOT_BATCH).await?;
        let Some(last) = page.last() else {
            break;
        };
        after = last.id;
        let mut rows = Vec::new();
        for member in &page {
            let email = member.email.clone().unwrap_or_default().trim().to_owned();
            let key = email_key(&email);
            if email.parse::<lettre::Address>().is_err() || !seen.insert(key.clone()) {
                continue;
            }
            rows.push(store::NewRecipient {
                party_id: Some(member.id),
                first_name: first_name_of(member),
                name: member.name.clone(),
                company: member.company.clone(),
                email,
                email_key: key,
                token: seam_store::new_secret(),
                status: RecipientStatus::Queued.name(),
            });
            if written + rows.len() >= RECIPIENTS_MAX {
                break;
            }
        }
        let keys: Vec<String> = rows.iter().map(|r| r.email_key.clone()).collect();
        let suppressed: HashSet<String> = store::suppressed_among(tx, &keys)
            .await?
            .into_iter()
            .collect();
        for row in &mut rows {
            if suppressed.contains(&row.email_key) {
                row.status = RecipientStatus::Suppressed.name();
            }
        }
        store::insert_recipients(tx, campaign.id, &rows, now_us()).await?;
        written += rows.len();
        if written >= RECIPIENTS_MAX || (page.len() as i64) < SNAPSHOT_BATCH {
            break;
        }
    }
    Ok(written)
}

/// What one send job carries.
#[derive(Debug, Serialize, Deserialize)]
struct SendPayload {
    campaign_id: i64,
}

async fn enqueue_tick(tx: &mut Tx, campaign_id: i64, run_at_us: i64) -> AppResult<i64> {
    let payload = serde_json::to_string(&SendPayload { campaign_id })
        .map_err(|e| AppError::Internal(anyhow::anyhow!("send payload: {e}")))?;
    Ok(job_store::enqueue(tx, SEND_JOB, &payload, run_at_us).await?)
}

/// Snapshots a draft or scheduled campaign's recipients and marks it sending.
async fn start_sending(tx: &mut Tx, actor: &Actor, campaign: &CampaignRow) -> AppResult<usize> {
    let written = snapshot(tx, campaign).await?;
    store::move_campaign(tx, campaign.id, &campaign.state, "sending", None, now_us())
        .await
        .map_err(stale_as(CAMPAIGN_STATE_ERROR))?;
    audit(
        tx,
        actor,
        "campaign",
        &campaign.id.to_string(),
        "send",
        Some(json!({ "state": campaign.state })),
        json!({ "state": "sending", "recipients": written }),
    )
    .await?;
    Ok(written)
}

/// Sends a draft campaign now (`at_us` empty or past: its recipients are
/// snapshot at once and the first tick is queued) or schedules it for
/// `at_us` (the snapshot is taken then). Needs `marketing.use`.
///
/// Errors: [`AppError::NotFound`]; [`AppError::Conflict`] with
/// `error-campaign-state` when it is not a draft.
pub async fn send_campaign(
    app: &App,
    actor: &Actor,
    id: i64,
    at_us: Option<i64>,
) -> AppResult<CampaignRow> {
    actor.require(Permission::MarketingUse)?;
    let now = now_us();
    let mut tx = app.db.begin().await?;
    let row = store::campaign_in_tx(&mut tx, id).await?;
    if state_of(&row) != CampaignState::Draft {
        return Err(AppError::Conflict(CAMPAIGN_STATE_ERROR));
    }
    match at_us.filter(|at| *at > now) {
        Some(at) => {
            store::move_campaign(&mut tx, id, "draft", "scheduled", Some(at), now)
                .await
                .map_err(stale_as(CAMPAIGN_STATE_ERROR))?;
            enqueue_tick(&mut tx, id, at).await?;
            audit(
                &mut tx,
                actor,
                "campaign",
                &id.to_string(),
                "schedule",
                Some(json!({ "state": "draft" })),
                json!({ "state": "scheduled", "scheduled_at_us": at }),
            )
            .await?;
        }
        None => {
            start_sending(&mut tx, actor, &row).await?;
            enqueue_tick(&mut tx, id, now).await?;
        }
    }
    let after = store::campaign_in_tx(&mut tx, id).await?;
    tx.commit().await?;
    Ok(after)
}

/// How campaigns are sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SendSettings {
    pub rate_per_tick: i64,
    pub tick_seconds: i64,
    pub base_url: String,
}

/// The sending settings, with their defaults. Needs `marketing.use`.
pub async fn send_settings(app: &App, actor: &Actor) -> AppResult<SendSettings> {
    actor.require(Permission::MarketingUse)?;
    stored_send_settings(app).await
}

async fn stored_send_settings(app: &App) -> AppResult<SendSettings> {
    let mut out = SendSettings {
        rate_per_tick: RATE_DEFAULT,
        tick_seconds: TICK_DEFAULT_S,
        base_url: BASE_URL_DEFAULT.to_owned(),
    };
    for (name, value) in settings::settings_with_prefix(&app.db, "marketing.").await? {
        match name.as_str() {
            RATE_SETTING => out.rate_per_tick = value.parse().unwrap_or(RATE_DEFAULT),
            TICK_SETTING => out.tick_seconds = value.parse().unwrap_or(TICK_DEFAULT_S),
            _ => {}
        }
    }
    let public = crate::company::public_url(app).await?;
    if !public.is_empty() {
        out.base_url = public;
    }
    Ok(out)
}

/// Changes the sending settings. Needs `marketing.use`.
///
/// Errors: field errors naming `rate_per_tick` (1 to [`RATE_MAX`]),
/// `tick_seconds` (0 to [`TICK_MAX_S`]) or `base_url` (`error-url`: an
/// http:// or https:// address without a query).
pub async fn update_send_settings(
    app: &App,
    actor: &Actor,
    rate_per_tick: &str,
    tick_seconds: &str,
    base_url: &str,
) -> AppResult<SendSettings> {
    actor.require(Permission::MarketingUse)?;
    let before = stored_send_settings(app).await?;
    let mut errors = FieldErrors::new();
    let number = |field: &str,
                  text: &str,
                  min: i64,
                  max: i64,
                  was: i64,
                  errors: &mut FieldErrors| {
        match text.trim() {
            "" => was,
            t => match t.parse::<i64>() {
                Ok(n) if (min..=max).contains(&n) => n,
                _ => {
                    errors.add(field, "error-number-range");
                    was
                }
            },
        }
    };
    let rate = number(
        "rate_per_tick",
        rate_per_tick,
        1,
        RATE_MAX,
        before.rate_per_tick,
        &mut errors,
    );
    let tick = number(
        "tick_seconds",
        tick_seconds,
        0,
        TICK_MAX_S,
        before.tick_seconds,
        &mut errors,
    );
    let url = match crate::company::check_public_url("base_url", base_url) {
        Ok(url) if url.is_empty() => before.base_url.clone(),
        Ok(url) => url,
        Err(e) => {
            errors.extend(e);
            base_url.to_owned()
        }
    };
    errors.into_result(())?;
    let after = SendSettings {
        rate_per_tick: rate,
        tick_seconds: tick,
        base_url: url,
    };
    let as_json = |s: &SendSettings| json!({ "rate_per_tick": s.rate_per_tick, "tick_seconds": s.tick_seconds, "base_url": s.base_url });
    let mut tx = app.db.begin().await?;
    settings::set_setting(&mut tx, RATE_SETTING, &after.rate_per_tick.to_string()).await?;
    settings::set_setting(&mut tx, TICK_SETTING, &after.tick_seconds.to_string()).await?;
    crate::company::set_public_url_in(&mut tx, &after.base_url).await?;
    audit(
        &mut tx,
        actor,
        "settings",
        "marketing",
        "update",
        Some(as_json(&before)),
        as_json(&after),
    )
    .await?;
    tx.commit().await?;
    Ok(after)
}

/// What one tick did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Tick {
    pub sent: usize,
    pub suppressed: usize,
    pub failed: usize,
    /// Still queued after this tick.
    pub left: i64,
}

/// The unsubscribe page of a token.
pub fn unsubscribe_url(base_url: &str, token: &str) -> String {
    format!("{}/u/{token}", base_url.trim_end_matches('/'))
}

/// The message to one recipient, with its one-click unsubscribe headers.
fn message_for(
    campaign: &CampaignRow,
    recipient: &RecipientRow,
    base_url: &str,
) -> Result<Message, String> {
    let url = unsubscribe_url(base_url, &recipient.token);
    let values = MergeValues {
        name: &recipient.name,
        first_name: &recipient.first_name,
        company: &recipient.company,
        email: &recipient.email,
        unsubscribe_url: &url,
    };
    let from: Mailbox = campaign
        .from_address
        .parse()
        .map_err(|e| format!("the sender `{}`: {e}", campaign.from_address))?;
    let to: Mailbox = recipient
        .email
        .parse()
        .map_err(|e| format!("the recipient `{}`: {e}", recipient.email))?;
    let header = |name: &str, value: String| {
        HeaderName::new_from_ascii(name.to_owned())
            .map(|n| HeaderValue::new(n, value))
            .map_err(|e| e.to_string())
    };
    let mailto = format!(
        "mailto:{}?subject=unsubscribe",
        from.email.to_string().replace(['<', '>'], "")
    );
    let domain = from.email.domain().to_owned();
    Message::builder()
        .from(from)
        .to(to)
        .subject(rules::render(&campaign.subject, &values))
        .message_id(Some(format!(
            "<seam-campaign-{}-{}@{domain}>",
            campaign.id, recipient.id
        )))
        .raw_header(header("List-Unsubscribe", format!("<{url}>, <{mailto}>"))?)
        .raw_header(header(
            "List-Unsubscribe-Post",
            "List-Unsubscribe=One-Click".to_owned(),
        )?)
        .raw_header(header(RECIPIENT_HEADER, recipient.id.to_string())?)
        .singlepart(
            SinglePart::builder()
                .header(ContentType::TEXT_PLAIN)
                .body(rules::render(&campaign.body, &values)),
        )
        .map_err(|e| format!("cannot build the message: {e}"))
}

async fn set_status(app: &App, id: i64, to: RecipientStatus, error: &str) -> AppResult<bool> {
    let mut tx = app.db.begin().await?;
    let changed =
        store::set_recipient_status(&mut tx, id, "queued", to.name(), error, now_us()).await?;
    tx.commit().await?;
    Ok(changed)
}

/// Sends at most `max` of a campaign's queued messages (taking a
/// scheduled campaign's snapshot first), then queues the next tick, or
/// marks the campaign sent when none are left. Each address is checked
/// against the suppression list right before its message goes out.
///
/// Errors: [`AppError::NotFound`]; [`AppError::Conflict`] (`error-smtp`)
/// when the SMTP server cannot be reached (the tick is retried; what was
/// sent stays sent).
pub async fn send_tick(app: &App, campaign_id: i64, max: i64) -> AppResult<Tick> {
    let system = Actor::system("campaign-sender");
    let settings = stored_send_settings(app).await?;
    let mut row = store::campaign(&app.db, campaign_id)
        .await?
        .ok_or(AppError::NotFound)?;
    match state_of(&row) {
        CampaignState::Draft | CampaignState::Sent => return Ok(Tick::default()),
        CampaignState::Scheduled => {
            let mut tx = app.db.begin().await?;
            row = store::campaign_in_tx(&mut tx, campaign_id).await?;
            if state_of(&row) == CampaignState::Scheduled {
                start_sending(&mut tx, &system, &row).await?;
            }
            tx.commit().await?;
        }
        CampaignState::Sending => {}
    }
    let mail_settings = mail::stored_settings(app).await?;
    let queued = store::recipients(&app.db, campaign_id, Some("queued"), 0, max.max(1)).await?;
    let mut tick = Tick::default();
    if !queued.is_empty() && mail_settings.smtp_url.is_empty() {
        return Err(AppError::Conflict("error-smtp"));
    }
    let mailer = match queued.is_empty() {
        true => None,
        false => Some(
            mail::transport(&mail_settings.smtp_url)
                .map_err(|_| AppError::Conflict("error-smtp"))?,
        ),
    };
    for recipient in &queued {
        // The list may have changed since the snapshot: check again, last thing before sending.
        let mut tx = app.db.begin().await?;
        if store::is_suppressed(&mut tx, &recipient.email_key).await? {
            store::set_recipient_status(
                &mut tx,
                recipient.id,
                "queued",
                "suppressed",
                "",
                now_us(),
            )
            .await?;
            tx.commit().await?;
            tick.suppressed += 1;
            continue;
        }
        drop(tx);
        let Some(mailer) = &mailer else { break };
        let message = match message_for(&row, recipient, &settings.base_url) {
            Ok(m) => m,
            Err(e) => {
                set_status(app, recipient.id, RecipientStatus::Failed, &e).await?;
                tick.failed += 1;
                continue;
            }
        };
        match mailer.send(message).await {
            Ok(_) => {
                set_status(app, recipient.id, RecipientStatus::Sent, "").await?;
                tick.sent += 1;
            }
            Err(e) if e.is_permanent() => {
                set_status(
                    app,
                    recipient.id,
                    RecipientStatus::Failed,
                    &format!("SMTP: {e}"),
                )
                .await?;
                tick.failed += 1;
            }
            Err(e) => {
                tracing::warn!(campaign = campaign_id, error = %e, "campaign tick stopped at an SMTP error");
                return Err(AppError::Conflict("error-smtp"));
            }
        }
    }
    let mut tx = app.db.begin().await?;
    tick.left = store::queued_count(&mut tx, campaign_id).await?;
    if tick.left == 0 {
        store::move_campaign(&mut tx, campaign_id, "sending", "sent", None, now_us())
            .await
            .map_err(stale_as(CAMPAIGN_STATE_ERROR))?;
        let counts =
            json!({ "sent": tick.sent, "suppressed": tick.suppressed, "failed": tick.failed });
        audit(
            &mut tx,
            &system,
            "campaign",
            &campaign_id.to_string(),
            "sent",
            Some(json!({ "state": "sending" })),
            json!({ "state": "sent", "last_tick": counts }),
        )
        .await?;
    } else {
        let next = now_us().saturating_add(settings.tick_seconds.saturating_mul(1_000_000));
        enqueue_tick(&mut tx, campaign_id, next).await?;
    }
    tx.commit().await?;
    Ok(tick)
}

/// Runs a `campaign-send` job: one tick at the configured rate.
pub(crate) async fn send_job(app: &App, payload: &str) -> Result<(), JobError> {
    let payload: SendPayload = serde_json::from_str(payload)
        .map_err(|e| JobError::Permanent(format!("the job's payload is not a campaign: {e}")))?;
    let rate = stored_send_settings(app)
        .await
        .map_err(|e| JobError::Retry(e.to_string()))?
        .rate_per_tick;
    match send_tick(app, payload.campaign_id, rate).await {
        Ok(_) => Ok(()),
        Err(AppError::NotFound) => Err(JobError::Permanent(format!(
            "campaign {} does not exist",
            payload.campaign_id
        ))),
        Err(AppError::Conflict("error-smtp")) => Err(JobError::Retry(format!(
            "no usable SMTP server: set {}",
            mail::SMTP_URL_SETTING
        ))),
        Err(e) => Err(JobError::Retry(e.to_string())),
    }
}

// ---------------------------------------------------------------- bounces, consent, suppression

fn address(field: &str, text: &str) -> Result<(String, String), FieldErrors> {
    let email = mail::parse_address(field, text)?;
    let key = email_key(&email);
    Ok((email, key))
}

/// Records that mail to `email` bounced: its sent messages are marked
/// bounced, and a hard bounce puts it on the suppression list. Needs
/// `marketing.use`. Returns how many messages were marked.
///
/// Errors: `email` with `error-email`; `note` with `error-too-long`.
pub async fn record_bounce(
    app: &App,
    actor: &Actor,
    email: &str,
    hard: bool,
    note: &str,
) -> AppResult<u64> {
    actor.require(Permission::MarketingUse)?;
    let (email, key) = address("email", email)?;
    let note = checked_note("note", note)?;
    let mut tx = app.db.begin().await?;
    let marked = store::bounce_address(&mut tx, &key, &note, now_us()).await?;
    let suppressed = hard
        && suppress_in(
            &mut tx,
            actor,
            &email,
            &key,
            SuppressionReason::Bounce,
            &note,
        )
        .await?;
    audit(
        &mut tx,
        actor,
        "bounce",
        &key,
        "record",
        None,
        json!({ "email": email, "hard": hard, "messages": marked, "suppressed": suppressed, "note": note }),
    )
    .await?;
    tx.commit().await?;
    Ok(marked)
}

/// Records a bounce of one sent message. Needs `marketing.use`.
///
/// Errors: [`AppError::NotFound`]; [`AppError::Conflict`]
/// (`error-recipient-state`) unless the message was sent.
pub async fn bounce_recipient(
    app: &App,
    actor: &Actor,
    id: i64,
    hard: bool,
) -> AppResult<RecipientRow> {
    actor.require(Permission::MarketingUse)?;
    let row = store::recipient(&app.db, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let mut tx = app.db.begin().await?;
    let note = if hard { "hard bounce" } else { "soft bounce" };
    if !store::set_recipient_status(&mut tx, id, "sent", "bounced", note, now_us()).await? {
        return Err(AppError::Conflict("error-recipient-state"));
    }
    if hard {
        suppress_in(
            &mut tx,
            actor,
            &row.email,
            &row.email_key,
            SuppressionReason::Bounce,
            note,
        )
        .await?;
    }
    audit(
        &mut tx,
        actor,
        "campaign",
        &row.campaign_id.to_string(),
        "bounce",
        Some(json!({ "recipient": id, "status": row.status })),
        json!({ "recipient": id, "email": row.email, "status": "bounced", "hard": hard }),
    )
    .await?;
    tx.commit().await?;
    store::recipient(&app.db, id)
        .await?
        .ok_or(AppError::NotFound)
}

fn checked_note(field: &str, text: &str) -> Result<String, FieldErrors> {
    let text = text.trim();
    if text.chars().count() > rules::NOTE_CHARS_MAX {
        return Err(FieldErrors::one(field, "error-too-long"));
    }
    Ok(text.to_owned())
}

/// Adds to the suppression list in the caller's transaction, with its own
/// audit event. False when the address already was on it.
async fn suppress_in(
    tx: &mut Tx,
    actor: &Actor,
    email: &str,
    key: &str,
    reason: SuppressionReason,
    note: &str,
) -> AppResult<bool> {
    let added = store::suppress(
        tx,
        key,
        email,
        reason.name(),
        note,
        &actor.username,
        now_us(),
    )
    .await?;
    if added {
        audit(
            tx,
            actor,
            "suppression",
            key,
            "add",
            None,
            json!({ "email": email, "reason": reason.name(), "note": note }),
        )
        .await?;
    }
    Ok(added)
}

/// Puts an address on the suppression list by hand. Needs `marketing.use`.
/// False when it already was on it (nothing changes).
///
/// Errors: `email` with `error-email`; `note` with `error-too-long`.
pub async fn add_suppression(app: &App, actor: &Actor, email: &str, note: &str) -> AppResult<bool> {
    actor.require(Permission::MarketingUse)?;
    let (email, key) = address("email", email)?;
    let note = checked_note("note", note)?;
    let mut tx = app.db.begin().await?;
    let added = suppress_in(
        &mut tx,
        actor,
        &email,
        &key,
        SuppressionReason::Manual,
        &note,
    )
    .await?;
    tx.commit().await?;
    Ok(added)
}

/// Takes an address off the suppression list. Needs `marketing.use`.
///
/// Errors: `email` with `error-email`; [`AppError::NotFound`] when it is not on the list.
pub async fn remove_suppression(
    app: &App,
    actor: &Actor,
    email: &str,
) -> AppResult<SuppressionRow> {
    actor.require(Permission::MarketingUse)?;
    let (_, key) = address("email", email)?;
    let mut tx = app.db.begin().await?;
    let removed = store::unsuppress(&mut tx, &key)
        .await?
        .ok_or(AppError::NotFound)?;
    record(
        &mut tx,
        actor,
        Change {
            entity_type: "suppression",
            entity_id: key.clone(),
            action: "remove",
            before: Some(
                json!({ "email": removed.email, "reason": removed.reason, "note": removed.note }),
            ),
            after: None,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(removed)
}

/// A page of the suppression list by address after `after`; `text` narrows. Needs `marketing.use`.
pub async fn suppressions(
    app: &App,
    actor: &Actor,
    text: &str,
    after: &str,
) -> AppResult<Vec<SuppressionRow>> {
    actor.require(Permission::MarketingUse)?;
    Ok(store::suppressions(&app.db, text, after, PAGE_SIZE).await?)
}

/// The whole suppression list as CSV (up to [`SUPPRESSIONS_CSV_MAX`] rows). Needs `marketing.use`.
pub async fn suppressions_csv(app: &App, actor: &Actor) -> AppResult<String> {
    actor.require(Permission::MarketingUse)?;
    let rows = store::suppressions(&app.db, "", "", SUPPRESSIONS_CSV_MAX).await?;
    let mut out = CsvOut::new(&["email", "reason", "note", "added_by", "added_at"])?;
    for r in &rows {
        out.row([
            r.email.clone(),
            r.reason.clone(),
            r.note.clone(),
            r.created_by.clone(),
            timestamp(r.created_at_us),
        ])?;
    }
    out.finish()
}

fn timestamp(at_us: i64) -> String {
    jiff::Timestamp::from_microsecond(at_us)
        .map(|t| t.to_string())
        .unwrap_or_default()
}

/// Appends a consent record for an address. Needs `marketing.use`.
///
/// Errors: `email` (`error-email`), `state` (`error-consent-state`),
/// `source` (`error-required`, `error-too-long`).
pub async fn record_consent(
    app: &App,
    actor: &Actor,
    email: &str,
    state: &str,
    source: &str,
) -> AppResult<i64> {
    actor.require(Permission::MarketingUse)?;
    let mut errors = FieldErrors::new();
    let found = match address("email", email) {
        Ok(found) => Some(found),
        Err(e) => {
            errors.extend(e);
            None
        }
    };
    let state = ConsentState::parse(state);
    if state.is_none() {
        errors.add("state", "error-consent-state");
    }
    let source = source.trim();
    if source.is_empty() {
        errors.add("source", "error-required");
    } else if source.chars().count() > rules::NOTE_CHARS_MAX {
        errors.add("source", "error-too-long");
    }
    errors.into_result(())?;
    let (Some((email, key)), Some(state)) = (found, state) else {
        return Err(AppError::Internal(anyhow::anyhow!(
            "checked consent lost its value"
        )));
    };
    let mut tx = app.db.begin().await?;
    let id = append_consent(&mut tx, actor, &email, &key, state, source).await?;
    tx.commit().await?;
    Ok(id)
}

async fn append_consent(
    tx: &mut Tx,
    actor: &Actor,
    email: &str,
    key: &str,
    state: ConsentState,
    source: &str,
) -> AppResult<i64> {
    let party = party_of(tx, key).await?;
    let id = store::insert_consent(
        tx,
        key,
        email,
        party,
        state.name(),
        source,
        &actor.username,
        now_us(),
    )
    .await?;
    audit(
        tx,
        actor,
        "consent",
        key,
        state.name(),
        None,
        json!({ "email": email, "state": state.name(), "source": source, "party_id": party }),
    )
    .await?;
    Ok(id)
}

/// The party whose e-mail this is, if exactly one has it.
async fn party_of(tx: &mut Tx, key: &str) -> AppResult<Option<i64>> {
    let ids = store::party_ids_by_email_key(tx, key).await?;
    Ok(match ids.as_slice() {
        [one] => Some(*one),
        _ => None,
    })
}

/// Consent records newest first: of one address when `email` is given,
/// else of all; ids below `before`. Needs `marketing.use`.
///
/// Errors: `email` with `error-email`.
pub async fn consents(
    app: &App,
    actor: &Actor,
    email: &str,
    before: Option<i64>,
) -> AppResult<Vec<ConsentRow>> {
    actor.require(Permission::MarketingUse)?;
    let key = match email.trim() {
        "" => String::new(),
        text => address("email", text)?.1,
    };
    Ok(store::consents(&app.db, &key, before, PAGE_SIZE).await?)
}

/// What the anonymous unsubscribe page shows.
#[derive(Debug, Clone)]
pub struct UnsubscribeTarget {
    /// The address with most of its local part hidden.
    pub email_hint: String,
    pub campaign_name: String,
    /// Already withdrawn and suppressed.
    pub done: bool,
}

fn hint(email: &str) -> String {
    match email.split_once('@') {
        Some((local, domain)) => {
            let first: String = local.chars().take(1).collect();
            format!("{first}…@{domain}")
        }
        None => "…".to_owned(),
    }
}

/// Who an unsubscribe token belongs to. No login: the token is the credential.
///
/// Errors: [`AppError::NotFound`] for an unknown token.
pub async fn unsubscribe_target(app: &App, token: &str) -> AppResult<UnsubscribeTarget> {
    let row = recipient_of_token(app, token).await?;
    let campaign = store::campaign(&app.db, row.campaign_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let latest = store::consents(&app.db, &row.email_key, None, 1).await?;
    let withdrawn = latest.first().is_some_and(|c| c.state == "withdrawn");
    let suppressed = store::suppression(&app.db, &row.email_key).await?.is_some();
    Ok(UnsubscribeTarget {
        email_hint: hint(&row.email),
        campaign_name: campaign.name,
        done: withdrawn && suppressed,
    })
}

async fn recipient_of_token(app: &App, token: &str) -> AppResult<RecipientRow> {
    let token = token.trim();
    if token.is_empty() || token.len() > 128 || !token.chars().all(|c| c.is_ascii_hexdigit()) {
        return Err(AppError::NotFound);
    }
    store::recipient_by_token(&app.db, token)
        .await?
        .ok_or(AppError::NotFound)
}

/// Unsubscribes the address a token belongs to: consent withdrawn and the
/// address suppressed. Safe to repeat: a second call changes nothing.
/// Returns true when something changed.
///
/// Errors: [`AppError::NotFound`] for an unknown token.
pub async fn unsubscribe(app: &App, token: &str) -> AppResult<bool> {
    let row = recipient_of_token(app, token).await?;
    let actor = Actor::system("unsubscribe");
    let campaign = store::campaign(&app.db, row.campaign_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let mut tx = app.db.begin().await?;
    let mut changed = false;
    if store::consent_in_tx(&mut tx, &row.email_key)
        .await?
        .as_deref()
        != Some("withdrawn")
    {
        let source = format!("unsubscribe link, campaign {}", campaign.code);
        append_consent(
            &mut tx,
            &actor,
            &row.email,
            &row.email_key,
            ConsentState::Withdrawn,
            &source,
        )
        .await?;
        changed = true;
    }
    let note = format!("campaign {}", campaign.code);
    changed |= suppress_in(
        &mut tx,
        &actor,
        &row.email,
        &row.email_key,
        SuppressionReason::Unsubscribe,
        &note,
    )
    .await?;
    tx.commit().await?;
    Ok(changed)
}

// ---------------------------------------------------------------- attribution

/// One lead of a campaign with what came of it.
#[derive(Debug, Clone)]
pub struct LeadAttribution {
    pub lead: CampaignLeadRow,
    pub date: String,
    pub opportunities: Vec<LeadOpportunityRow>,
    pub won_amount: Totals,
    pub invoiced: Totals,
}

/// What a campaign brought in, in sum and per lead.
#[derive(Debug, Clone)]
pub struct AttributionReport {
    pub code: String,
    pub summary: Attribution,
    pub leads: Vec<LeadAttribution>,
}

fn date_of(at_us: i64) -> String {
    jiff::Timestamp::from_microsecond(at_us)
        .map(|t| t.to_zoned(jiff::tz::TimeZone::UTC).date().to_string())
        .unwrap_or_default()
}

/// A campaign's leads (those carrying its code), their opportunities, the
/// won ones, and the invoiced revenue (net of posted invoices less credit
/// notes) of the parties they were qualified into, from the lead's day on.
/// Three reads, whatever the number of leads. Needs `marketing.use`.
///
/// Errors: [`AppError::NotFound`].
pub async fn attribution(app: &App, actor: &Actor, id: i64) -> AppResult<AttributionReport> {
    actor.require(Permission::MarketingUse)?;
    let campaign = store::campaign(&app.db, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let leads = store::campaign_leads(&app.db, &campaign.code, ATTRIBUTION_LEADS_MAX).await?;
    let lead_ids: Vec<i64> = leads.iter().map(|l| l.id).collect();
    let mut party_ids: Vec<i64> = leads.iter().filter_map(|l| l.party_id).collect();
    party_ids.sort_unstable();
    party_ids.dedup();
    let since = leads
        .iter()
        .map(|l| date_of(l.created_at_us))
        .min()
        .unwrap_or_default();
    let (opportunities, invoices) = tokio::try_join!(
        store::lead_opportunities(&app.db, &lead_ids),
        store::party_invoices(&app.db, &party_ids, &since),
    )?;
    let attributed_leads: Vec<AttributedLead> = leads
        .iter()
        .map(|l| AttributedLead {
            id: l.id,
            date: date_of(l.created_at_us),
            party_id: l.party_id,
        })
        .collect();
    let attributed_opportunities: Vec<AttributedOpportunity> = opportunities
        .iter()
        .map(|o| AttributedOpportunity {
            lead_id: o.lead_id,
            won: o.stage == "won",
            amount_minor: o.amount_minor,
            currency: o.currency.clone(),
        })
        .collect();
    let attributed_invoices: Vec<AttributedInvoice> = invoices
        .iter()
        .map(|i| AttributedInvoice {
            id: i.id,
            party_id: i.party_id,
            issue_date: i.issue_date.clone(),
            net_minor: if i.kind == "credit_note" {
                -i.net_minor
            } else {
                i.net_minor
            },
            currency: i.currency.clone(),
        })
        .collect();
    let summary = rules::attribute(
        &attributed_leads,
        &attributed_opportunities,
        &attributed_invoices,
    );
    let mut opportunities_of: HashMap<i64, Vec<LeadOpportunityRow>> = HashMap::new();
    for o in opportunities {
        opportunities_of.entry(o.lead_id).or_default().push(o);
    }
    let per_lead = leads
        .into_iter()
        .zip(attributed_leads)
        .map(|(lead, attributed)| {
            let mine = opportunities_of.remove(&lead.id).unwrap_or_default();
            let opps: Vec<AttributedOpportunity> = attributed_opportunities
                .iter()
                .filter(|o| o.lead_id == lead.id)
                .cloned()
                .collect();
            let one = rules::attribute(
                std::slice::from_ref(&attributed),
                &opps,
                &attributed_invoices,
            );
            LeadAttribution {
                date: attributed.date,
                lead,
                opportunities: mine,
                won_amount: one.won_amount,
                invoiced: one.invoiced,
            }
        })
        .collect();
    Ok(AttributionReport {
        code: campaign.code,
        summary,
        leads: per_lead,
    })
}

/// Totals as text, e.g. `EUR 1200.00, SEK 300.00`.
pub fn totals_text(totals: &Totals) -> String {
    totals
        .iter()
        .map(|(c, m)| format!("{c} {}", format_amount(*m, c)))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The attribution per lead as CSV: one row per lead and currency (a lead
/// with no money has one row with no currency). Needs `marketing.use`.
pub async fn attribution_csv(app: &App, actor: &Actor, id: i64) -> AppResult<String> {
    let report = attribution(app, actor, id).await?;
    let mut out = CsvOut::new(&[
        "campaign",
        "lead_id",
        "lead",
        "company",
        "lead_date",
        "lead_state",
        "party",
        "opportunities",
        "won",
        "currency",
        "won_amount",
        "invoiced_net",
    ])?;
    for l in &report.leads {
        let won = l.opportunities.iter().filter(|o| o.stage == "won").count();
        let mut currencies: Vec<&String> = l
            .won_amount
            .iter()
            .chain(l.invoiced.iter())
            .map(|(c, _)| c)
            .collect();
        currencies.sort();
        currencies.dedup();
        let amount = |totals: &Totals, c: &str| {
            totals
                .iter()
                .find(|(tc, _)| tc == c)
                .map(|(_, m)| format_amount(*m, c))
                .unwrap_or_else(|| format_amount(0, c))
        };
        let base = [
            report.code.clone(),
            l.lead.id.to_string(),
            l.lead.name.clone(),
            l.lead.company.clone(),
            l.date.clone(),
            l.lead.state.clone(),
            l.lead.party_name.clone().unwrap_or_default(),
            l.opportunities.len().to_string(),
            won.to_string(),
        ];
        if currencies.is_empty() {
            out.row(
                base.iter()
                    .cloned()
                    .chain([String::new(), String::new(), String::new()]),
            )?;
        }
        for c in currencies {
            out.row(base.iter().cloned().chain([
                c.clone(),
                amount(&l.won_amount, c),
                amount(&l.invoiced, c),
            ]))?;
        }
    }
    out.finish()
}
