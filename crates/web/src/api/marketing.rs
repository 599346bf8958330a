//! `/api/v1/segments`, `/api/v1/campaigns`, `/api/v1/suppressions`,
//! `/api/v1/consents` and `/api/v1/bounces`: marketing for integrators.
//! Segments are typed filters over parties; campaigns are sent by a
//! throttled job with one-click unsubscribe; the suppression list and
//! consent history are honoured by every send; attribution sums what a
//! campaign's leads became.

use axum::Json;
use axum::extract::{Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use seam_app::AppError;
use seam_app::marketing::{
    self, AttributionReport, CampaignDetail, CampaignRow, ConsentRow, MemberRow, Preview,
    RecipientRow, SegmentDetail, SegmentRow, SuppressionRow,
};
use seam_domain::FieldErrors;
use seam_domain::ledger::format_amount;
use seam_domain::marketing::{CampaignDraft, RecipientStatus, SegmentDraft};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::json::{ApiJson, KnownFields};
use super::problem::Problem;
use super::rfc3339;
use crate::AppState;
use crate::pages::IdPath;
use crate::who::CurrentActor;

fn problem(err: &AppError) -> Response {
    Problem::from_app_error(err, &crate::current_request_id()).into_response()
}

fn invalid(errors: &FieldErrors) -> Response {
    Problem::invalid(errors, &crate::current_request_id()).into_response()
}

fn csv(name: &str, body: String) -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
        ],
        body,
    )
        .into_response()
}

/// A positive id cursor, or a field error.
fn after(text: Option<&str>, errors: &mut FieldErrors) -> i64 {
    match text.map(str::trim) {
        None | Some("") => 0,
        Some(c) => c.parse::<i64>().ok().filter(|c| *c > 0).unwrap_or_else(|| {
            errors.add("cursor", "error-cursor");
            0
        }),
    }
}

fn next_cursor(last: Option<i64>, len: usize) -> Option<String> {
    let last = last?;
    (len as i64 == marketing::PAGE_SIZE).then(|| last.to_string())
}

/// Money in one currency: a decimal string beside its minor units.
#[derive(Debug, Serialize, ToSchema)]
pub struct Amount {
    pub currency: String,
    pub amount: String,
    pub amount_minor: i64,
}

fn amounts(totals: &[(String, i64)]) -> Vec<Amount> {
    totals
        .iter()
        .map(|(c, m)| Amount {
            currency: c.clone(),
            amount: format_amount(*m, c),
            amount_minor: *m,
        })
        .collect()
}

// ---------------------------------------------------------------- segments

/// A segment's filter: every condition that is set must hold.
#[derive(Debug, Default, Serialize, Deserialize, ToSchema)]
pub struct SegmentFilterBody {
    /// `company` or `person`.
    pub kind: Option<String>,
    /// ISO 3166 alpha-2.
    pub country: Option<String>,
    /// A party tag.
    pub tag: Option<String>,
    /// Bought this product (SKU) on a posted invoice…
    pub bought_sku: Option<String>,
    /// …in the last this many days (1 to 3660).
    pub bought_days: Option<i64>,
    /// `any` (default), `only` (with overdue invoices) or `exclude` (without).
    pub overdue: Option<String>,
    /// Created in the last this many days.
    pub created_days: Option<i64>,
    /// Only addresses whose newest consent record grants marketing e-mail.
    pub consent: Option<bool>,
}

/// A segment's name and filter.
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct SegmentInput {
    pub name: Option<String>,
    #[serde(default)]
    pub filter: SegmentFilterBody,
    /// Required on update: the `version` the change was based on.
    pub version: Option<i64>,
}

impl KnownFields for SegmentInput {
    const FIELDS: &'static [&'static str] = &["name", "filter", "version"];
}

impl SegmentInput {
    fn draft(&self) -> SegmentDraft {
        let f = &self.filter;
        let number = |n: Option<i64>| n.map(|n| n.to_string()).unwrap_or_default();
        SegmentDraft {
            name: self.name.clone().unwrap_or_default(),
            kind: f.kind.clone().unwrap_or_default(),
            country: f.country.clone().unwrap_or_default(),
            tag: f.tag.clone().unwrap_or_default(),
            bought_sku: f.bought_sku.clone().unwrap_or_default(),
            bought_days: number(f.bought_days),
            overdue: f.overdue.clone().unwrap_or_default(),
            created_days: number(f.created_days),
            consent: f.consent.unwrap_or(false),
        }
    }
}

/// Filter field errors under the names the request uses (`filter.kind`).
fn filter_fields(err: AppError) -> AppError {
    match err {
        AppError::Invalid(errors) => {
            let mut out = FieldErrors::new();
            for e in errors.iter() {
                let field = if e.field == "name" {
                    e.field.clone()
                } else {
                    format!("filter.{}", e.field)
                };
                out.add_with(&field, e.code, e.args.clone());
            }
            AppError::Invalid(out)
        }
        other => other,
    }
}

/// A party in a segment.
#[derive(Debug, Serialize, ToSchema)]
pub struct Member {
    pub party_id: i64,
    pub kind: String,
    pub name: String,
    pub email: Option<String>,
    pub country: Option<String>,
    /// A person's company, or a company's own name.
    pub company: String,
}

impl From<&MemberRow> for Member {
    fn from(m: &MemberRow) -> Member {
        Member {
            party_id: m.id,
            kind: m.kind.clone(),
            name: m.name.clone(),
            email: m.email.clone(),
            country: m.country.clone(),
            company: m.company.clone(),
        }
    }
}

/// How many parties a filter holds and the first page of them.
#[derive(Debug, Serialize, ToSchema)]
pub struct SegmentPreview {
    pub count: i64,
    /// Of them, those with an e-mail address (what a campaign can reach).
    pub with_email: i64,
    pub members: Vec<Member>,
    /// Pass as `cursor` to `/api/v1/segments/{id}/members`; absent when all are here.
    pub next_cursor: Option<String>,
}

fn preview_body(p: &Preview) -> SegmentPreview {
    SegmentPreview {
        count: p.count,
        with_email: p.with_email,
        members: p.members.iter().map(Member::from).collect(),
        next_cursor: next_cursor(p.members.last().map(|m| m.id), p.members.len()),
    }
}

/// A saved segment.
#[derive(Debug, Serialize, ToSchema)]
pub struct Segment {
    pub id: i64,
    pub name: String,
    pub filter: serde_json::Value,
    pub version: i64,
    pub created_by: String,
    pub created_at: String,
    pub updated_at: String,
}

impl From<&SegmentRow> for Segment {
    fn from(r: &SegmentRow) -> Segment {
        Segment {
            id: r.id,
            name: r.name.clone(),
            filter: serde_json::from_str(&r.definition).unwrap_or_default(),
            version: r.version,
            created_by: r.created_by.clone(),
            created_at: rfc3339(r.created_at_us),
            updated_at: rfc3339(r.updated_at_us),
        }
    }
}

/// A segment with its preview.
#[derive(Debug, Serialize, ToSchema)]
pub struct SegmentWithPreview {
    #[serde(flatten)]
    pub segment: Segment,
    pub preview: SegmentPreview,
}

impl From<&SegmentDetail> for SegmentWithPreview {
    fn from(d: &SegmentDetail) -> SegmentWithPreview {
        SegmentWithPreview {
            segment: Segment::from(&d.segment),
            preview: preview_body(&d.preview),
        }
    }
}

/// Every segment.
#[derive(Debug, Serialize, ToSchema)]
pub struct SegmentList {
    pub items: Vec<Segment>,
}

/// List the segments by name.
#[utoipa::path(get, path = "/api/v1/segments", tag = "marketing",
    responses((status = 200, body = SegmentList), (status = 401, body = Problem), (status = 403, body = Problem)),
    security(("bearer" = [])))]
pub async fn list_segments(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
) -> Response {
    match marketing::segments(&state.app, &actor).await {
        Ok(rows) => Json(SegmentList {
            items: rows.iter().map(Segment::from).collect(),
        })
        .into_response(),
        Err(e) => problem(&e),
    }
}

async fn segment_response(
    state: &AppState,
    actor: &seam_app::Actor,
    id: i64,
    status: StatusCode,
) -> Response {
    match marketing::segment(&state.app, actor, id).await {
        Ok(d) => (status, Json(SegmentWithPreview::from(&d))).into_response(),
        Err(e) => problem(&e),
    }
}

/// Save a segment. Field errors name `name` and `filter.…`.
#[utoipa::path(post, path = "/api/v1/segments", tag = "marketing", request_body = SegmentInput,
    responses((status = 201, body = SegmentWithPreview), (status = 403, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])))]
pub async fn create_segment(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    ApiJson(input): ApiJson<SegmentInput>,
) -> Response {
    if input.version.is_some() {
        return invalid(&FieldErrors::one("version", "error-unknown-field"));
    }
    match marketing::create_segment(&state.app, &actor, &input.draft()).await {
        Ok(id) => segment_response(&state, &actor, id, StatusCode::CREATED).await,
        Err(e) => problem(&filter_fields(e)),
    }
}

/// Count and list the first members of a filter without saving it.
#[utoipa::path(post, path = "/api/v1/segments/preview", tag = "marketing", request_body = SegmentInput,
    responses((status = 200, body = SegmentPreview), (status = 403, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])))]
pub async fn preview_segment(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    ApiJson(input): ApiJson<SegmentInput>,
) -> Response {
    match marketing::preview(&state.app, &actor, &input.draft()).await {
        Ok(p) => Json(preview_body(&p)).into_response(),
        Err(e) => problem(&filter_fields(e)),
    }
}

/// One segment with its member count and first page of members.
#[utoipa::path(get, path = "/api/v1/segments/{id}", tag = "marketing", params(("id" = i64, Path)),
    responses((status = 200, body = SegmentWithPreview), (status = 403, body = Problem), (status = 404, body = Problem)),
    security(("bearer" = [])))]
pub async fn segment(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    IdPath(id): IdPath,
) -> Response {
    segment_response(&state, &actor, id, StatusCode::OK).await
}

/// Replace a segment's name and filter. `version` must be the one read; otherwise 409.
#[utoipa::path(put, path = "/api/v1/segments/{id}", tag = "marketing", request_body = SegmentInput, params(("id" = i64, Path)),
    responses((status = 200, body = SegmentWithPreview), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])))]
pub async fn update_segment(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    IdPath(id): IdPath,
    ApiJson(input): ApiJson<SegmentInput>,
) -> Response {
    let Some(version) = input.version else {
        return invalid(&FieldErrors::one("version", "error-required"));
    };
    match marketing::update_segment(&state.app, &actor, id, version, &input.draft()).await {
        Ok(()) => segment_response(&state, &actor, id, StatusCode::OK).await,
        Err(e) => problem(&filter_fields(e)),
    }
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CursorParams {
    /// From `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

/// A page of members.
#[derive(Debug, Serialize, ToSchema)]
pub struct MemberList {
    pub items: Vec<Member>,
    pub next_cursor: Option<String>,
}

/// A segment's members by party id, a page at a time.
#[utoipa::path(get, path = "/api/v1/segments/{id}/members", tag = "marketing", params(("id" = i64, Path), CursorParams),
    responses((status = 200, body = MemberList), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])))]
pub async fn segment_members(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    IdPath(id): IdPath,
    Query(params): Query<CursorParams>,
) -> Response {
    let mut errors = FieldErrors::new();
    let after = after(params.cursor.as_deref(), &mut errors);
    if !errors.is_empty() {
        return invalid(&errors);
    }
    match marketing::members(&state.app, &actor, id, after).await {
        Ok(rows) => Json(MemberList {
            next_cursor: next_cursor(rows.last().map(|m| m.id), rows.len()),
            items: rows.iter().map(Member::from).collect(),
        })
        .into_response(),
        Err(e) => problem(&e),
    }
}

// ---------------------------------------------------------------- campaigns

/// An e-mail campaign.
#[derive(Debug, Serialize, ToSchema)]
pub struct Campaign {
    pub id: i64,
    /// The campaign code leads carry (`utm_campaign`).
    pub code: String,
    pub name: String,
    /// May use `{{name}}`, `{{first_name}}`, `{{company}}`, `{{email}}`, `{{unsubscribe_url}}`.
    pub subject: String,
    pub body: String,
    pub from_address: String,
    pub segment_id: i64,
    pub segment_name: String,
    /// `draft`, `scheduled`, `sending` or `sent`.
    pub state: String,
    pub scheduled_at: Option<String>,
    pub started_at: Option<String>,
    pub finished_at: Option<String>,
    pub version: i64,
    pub created_at: String,
}

impl From<&CampaignRow> for Campaign {
    fn from(r: &CampaignRow) -> Campaign {
        Campaign {
            id: r.id,
            code: r.code.clone(),
            name: r.name.clone(),
            subject: r.subject.clone(),
            body: r.body.clone(),
            from_address: r.from_address.clone(),
            segment_id: r.segment_id,
            segment_name: r.segment_name.clone(),
            state: r.state.clone(),
            scheduled_at: r.scheduled_at_us.map(rfc3339),
            started_at: r.started_at_us.map(rfc3339),
            finished_at: r.finished_at_us.map(rfc3339),
            version: r.version,
            created_at: rfc3339(r.created_at_us),
        }
    }
}

/// How many recipients are in one status.
#[derive(Debug, Serialize, ToSchema)]
pub struct StatusCount {
    /// `queued`, `sent`, `bounced`, `suppressed` or `failed`.
    pub status: String,
    pub count: i64,
}

/// One address of a campaign.
#[derive(Debug, Serialize, ToSchema)]
pub struct Recipient {
    pub id: i64,
    pub party_id: Option<i64>,
    pub email: String,
    pub name: String,
    /// `queued`, `sent`, `bounced`, `suppressed` or `failed`.
    pub status: String,
    pub error: String,
    pub sent_at: Option<String>,
}

impl From<&RecipientRow> for Recipient {
    fn from(r: &RecipientRow) -> Recipient {
        Recipient {
            id: r.id,
            party_id: r.party_id,
            email: r.email.clone(),
            name: r.name.clone(),
            status: r.status.clone(),
            error: r.error.clone(),
            sent_at: r.sent_at_us.map(rfc3339),
        }
    }
}

/// A campaign with its recipients counted by status and their first page.
#[derive(Debug, Serialize, ToSchema)]
pub struct CampaignWithRecipients {
    #[serde(flatten)]
    pub campaign: Campaign,
    pub counts: Vec<StatusCount>,
    pub recipients: Vec<Recipient>,
}

impl From<&CampaignDetail> for CampaignWithRecipients {
    fn from(d: &CampaignDetail) -> CampaignWithRecipients {
        CampaignWithRecipients {
            campaign: Campaign::from(&d.campaign),
            counts: d
                .counts
                .iter()
                .map(|(s, n)| StatusCount {
                    status: s.clone(),
                    count: *n,
                })
                .collect(),
            recipients: d.recipients.iter().map(Recipient::from).collect(),
        }
    }
}

/// A page of campaigns, newest first.
#[derive(Debug, Serialize, ToSchema)]
pub struct CampaignList {
    pub items: Vec<Campaign>,
    pub next_cursor: Option<String>,
}

/// List campaigns, newest first.
#[utoipa::path(get, path = "/api/v1/campaigns", tag = "marketing", params(CursorParams),
    responses((status = 200, body = CampaignList), (status = 401, body = Problem), (status = 403, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])))]
pub async fn list_campaigns(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    Query(params): Query<CursorParams>,
) -> Response {
    let mut errors = FieldErrors::new();
    let before = after(params.cursor.as_deref(), &mut errors);
    if !errors.is_empty() {
        return invalid(&errors);
    }
    match marketing::campaigns(&state.app, &actor, (before > 0).then_some(before)).await {
        Ok(rows) => Json(CampaignList {
            next_cursor: next_cursor(rows.last().map(|r| r.id), rows.len()),
            items: rows.iter().map(Campaign::from).collect(),
        })
        .into_response(),
        Err(e) => problem(&e),
    }
}

/// A campaign's fields.
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct CampaignInput {
    pub code: Option<String>,
    pub name: Option<String>,
    pub subject: Option<String>,
    pub body: Option<String>,
    /// A mailbox: `news@example.com` or `Example News <news@example.com>`.
    pub from_address: Option<String>,
    pub segment_id: Option<i64>,
    /// Required on update: the `version` the change was based on.
    pub version: Option<i64>,
}

impl KnownFields for CampaignInput {
    const FIELDS: &'static [&'static str] = &[
        "code",
        "name",
        "subject",
        "body",
        "from_address",
        "segment_id",
        "version",
    ];
}

impl CampaignInput {
    fn draft(&self) -> CampaignDraft {
        CampaignDraft {
            code: self.code.clone().unwrap_or_default(),
            name: self.name.clone().unwrap_or_default(),
            subject: self.subject.clone().unwrap_or_default(),
            body: self.body.clone().unwrap_or_default(),
            from_address: self.from_address.clone().unwrap_or_default(),
            segment_id: self.segment_id,
        }
    }
}

async fn campaign_response(
    state: &AppState,
    actor: &seam_app::Actor,
    id: i64,
    status: StatusCode,
) -> Response {
    match marketing::campaign(&state.app, actor, id).await {
        Ok(d) => (status, Json(CampaignWithRecipients::from(&d))).into_response(),
        Err(e) => problem(&e),
    }
}

/// Save a draft campaign. An unknown merge field is `error-merge-field` on its field.
#[utoipa::path(post, path = "/api/v1/campaigns", tag = "marketing", request_body = CampaignInput,
    responses((status = 201, body = CampaignWithRecipients), (status = 403, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])))]
pub async fn create_campaign(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    ApiJson(input): ApiJson<CampaignInput>,
) -> Response {
    if input.version.is_some() {
        return invalid(&FieldErrors::one("version", "error-unknown-field"));
    }
    match marketing::create_campaign(&state.app, &actor, &input.draft()).await {
        Ok(id) => campaign_response(&state, &actor, id, StatusCode::CREATED).await,
        Err(e) => problem(&e),
    }
}

/// One campaign with its recipients counted by status and the first page of them.
#[utoipa::path(get, path = "/api/v1/campaigns/{id}", tag = "marketing", params(("id" = i64, Path)),
    responses((status = 200, body = CampaignWithRecipients), (status = 403, body = Problem), (status = 404, body = Problem)),
    security(("bearer" = [])))]
pub async fn campaign(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    IdPath(id): IdPath,
) -> Response {
    campaign_response(&state, &actor, id, StatusCode::OK).await
}

/// Replace a draft campaign's fields. 409 when it is no longer a draft or `version` is stale.
#[utoipa::path(put, path = "/api/v1/campaigns/{id}", tag = "marketing", request_body = CampaignInput, params(("id" = i64, Path)),
    responses((status = 200, body = CampaignWithRecipients), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])))]
pub async fn update_campaign(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    IdPath(id): IdPath,
    ApiJson(input): ApiJson<CampaignInput>,
) -> Response {
    let Some(version) = input.version else {
        return invalid(&FieldErrors::one("version", "error-required"));
    };
    match marketing::update_campaign(&state.app, &actor, id, version, &input.draft()).await {
        Ok(()) => campaign_response(&state, &actor, id, StatusCode::OK).await,
        Err(e) => problem(&e),
    }
}

/// When to send.
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct SendInput {
    /// RFC 3339; absent or past sends now.
    pub at: Option<String>,
}

impl KnownFields for SendInput {
    const FIELDS: &'static [&'static str] = &["at"];
}

/// Send a draft campaign now (its recipients are taken at once) or schedule
/// it. 409 unless it is a draft.
#[utoipa::path(post, path = "/api/v1/campaigns/{id}/send", tag = "marketing", request_body = SendInput, params(("id" = i64, Path)),
    responses((status = 200, body = CampaignWithRecipients), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])))]
pub async fn send_campaign(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    IdPath(id): IdPath,
    ApiJson(input): ApiJson<SendInput>,
) -> Response {
    let at = match input.at.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(text) => match text.parse::<jiff::Timestamp>() {
            Ok(t) => Some(t.as_microsecond()),
            Err(_) => return invalid(&FieldErrors::one("at", "error-date-time")),
        },
    };
    match marketing::send_campaign(&state.app, &actor, id, at).await {
        Ok(_) => campaign_response(&state, &actor, id, StatusCode::OK).await,
        Err(e) => problem(&e),
    }
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RecipientParams {
    /// `queued`, `sent`, `bounced`, `suppressed` or `failed`; all when absent.
    pub status: Option<String>,
    /// From `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

/// A page of recipients.
#[derive(Debug, Serialize, ToSchema)]
pub struct RecipientList {
    pub items: Vec<Recipient>,
    pub next_cursor: Option<String>,
}

/// A campaign's recipients, a page at a time.
#[utoipa::path(get, path = "/api/v1/campaigns/{id}/recipients", tag = "marketing", params(("id" = i64, Path), RecipientParams),
    responses((status = 200, body = RecipientList), (status = 403, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])))]
pub async fn recipients(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    IdPath(id): IdPath,
    Query(params): Query<RecipientParams>,
) -> Response {
    let mut errors = FieldErrors::new();
    let status = match params.status.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(s) => RecipientStatus::parse(s).or_else(|| {
            errors.add("status", "error-choice");
            None
        }),
    };
    let after = after(params.cursor.as_deref(), &mut errors);
    if !errors.is_empty() {
        return invalid(&errors);
    }
    match marketing::recipients(&state.app, &actor, id, status, after).await {
        Ok(rows) => Json(RecipientList {
            next_cursor: next_cursor(rows.last().map(|r| r.id), rows.len()),
            items: rows.iter().map(Recipient::from).collect(),
        })
        .into_response(),
        Err(e) => problem(&e),
    }
}

/// How a bounce is recorded.
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct RecipientBounceInput {
    /// A hard bounce also suppresses the address (default true).
    pub hard: Option<bool>,
}

impl KnownFields for RecipientBounceInput {
    const FIELDS: &'static [&'static str] = &["hard"];
}

/// Record that one sent message bounced. 409 unless it was sent.
#[utoipa::path(post, path = "/api/v1/recipients/{id}/bounce", tag = "marketing", request_body = RecipientBounceInput, params(("id" = i64, Path)),
    responses((status = 200, body = Recipient), (status = 404, body = Problem), (status = 409, body = Problem)),
    security(("bearer" = [])))]
pub async fn bounce_recipient(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    IdPath(id): IdPath,
    ApiJson(input): ApiJson<RecipientBounceInput>,
) -> Response {
    match marketing::bounce_recipient(&state.app, &actor, id, input.hard.unwrap_or(true)).await {
        Ok(row) => Json(Recipient::from(&row)).into_response(),
        Err(e) => problem(&e),
    }
}

/// One lead of a campaign and what came of it.
#[derive(Debug, Serialize, ToSchema)]
pub struct AttributedLead {
    pub lead_id: i64,
    pub name: String,
    pub company: String,
    /// The day the lead came in.
    pub lead_date: String,
    pub state: String,
    pub party_id: Option<i64>,
    pub opportunities: i64,
    pub won: i64,
    pub won_amount: Vec<Amount>,
    pub invoiced_net: Vec<Amount>,
}

/// What a campaign brought in; amounts per currency, never added across currencies.
#[derive(Debug, Serialize, ToSchema)]
pub struct Attribution {
    pub code: String,
    pub leads: i64,
    pub qualified: i64,
    pub opportunities: i64,
    pub won: i64,
    pub won_amount: Vec<Amount>,
    pub invoices: i64,
    /// Net of posted invoices less credit notes of the qualified parties, from each lead's day on.
    pub invoiced_net: Vec<Amount>,
    pub per_lead: Vec<AttributedLead>,
}

fn attribution_body(r: &AttributionReport) -> Attribution {
    let s = &r.summary;
    Attribution {
        code: r.code.clone(),
        leads: s.leads,
        qualified: s.qualified,
        opportunities: s.opportunities,
        won: s.won,
        won_amount: amounts(&s.won_amount),
        invoices: s.invoices,
        invoiced_net: amounts(&s.invoiced),
        per_lead: r
            .leads
            .iter()
            .map(|l| AttributedLead {
                lead_id: l.lead.id,
                name: l.lead.name.clone(),
                company: l.lead.company.clone(),
                lead_date: l.date.clone(),
                state: l.lead.state.clone(),
                party_id: l.lead.party_id,
                opportunities: l.opportunities.len() as i64,
                won: l.opportunities.iter().filter(|o| o.stage == "won").count() as i64,
                won_amount: amounts(&l.won_amount),
                invoiced_net: amounts(&l.invoiced),
            })
            .collect(),
    }
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct FormatParams {
    /// `json` (default) or `csv`.
    pub format: Option<String>,
}

fn wants_csv(params: &FormatParams) -> Result<bool, FieldErrors> {
    match params.format.as_deref().map(str::trim) {
        None | Some("") | Some("json") => Ok(false),
        Some("csv") => Ok(true),
        Some(_) => Err(FieldErrors::one("format", "error-choice")),
    }
}

/// A campaign's attribution: its leads (by campaign code), their
/// opportunities and wins, and the invoiced revenue after each lead's day.
/// `?format=csv` gives one row per lead and currency.
#[utoipa::path(get, path = "/api/v1/campaigns/{id}/attribution", tag = "marketing", params(("id" = i64, Path), FormatParams),
    responses((status = 200, body = Attribution), (status = 403, body = Problem), (status = 404, body = Problem)),
    security(("bearer" = [])))]
pub async fn attribution(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    IdPath(id): IdPath,
    Query(params): Query<FormatParams>,
) -> Response {
    match wants_csv(&params) {
        Err(e) => invalid(&e),
        Ok(true) => match marketing::attribution_csv(&state.app, &actor, id).await {
            Ok(body) => csv(&format!("campaign-{id}-attribution.csv"), body),
            Err(e) => problem(&e),
        },
        Ok(false) => match marketing::attribution(&state.app, &actor, id).await {
            Ok(r) => Json(attribution_body(&r)).into_response(),
            Err(e) => problem(&e),
        },
    }
}

// ---------------------------------------------------------------- bounces, suppression, consent

/// A bounce reported for an address.
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct BounceInput {
    pub email: Option<String>,
    /// A hard bounce also suppresses the address (default true).
    pub hard: Option<bool>,
    pub note: Option<String>,
}

impl KnownFields for BounceInput {
    const FIELDS: &'static [&'static str] = &["email", "hard", "note"];
}

/// What a bounce changed.
#[derive(Debug, Serialize, ToSchema)]
pub struct BounceRecorded {
    /// How many sent messages were marked bounced.
    pub messages: u64,
}

/// Record a bounce for an address: its sent messages are marked bounced;
/// a hard bounce also puts it on the suppression list.
#[utoipa::path(post, path = "/api/v1/bounces", tag = "marketing", request_body = BounceInput,
    responses((status = 200, body = BounceRecorded), (status = 403, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])))]
pub async fn record_bounce(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    ApiJson(input): ApiJson<BounceInput>,
) -> Response {
    let email = input.email.unwrap_or_default();
    let note = input.note.unwrap_or_default();
    match marketing::record_bounce(
        &state.app,
        &actor,
        &email,
        input.hard.unwrap_or(true),
        &note,
    )
    .await
    {
        Ok(messages) => Json(BounceRecorded { messages }).into_response(),
        Err(e) => problem(&e),
    }
}

/// An address no campaign writes to.
#[derive(Debug, Serialize, ToSchema)]
pub struct Suppression {
    pub email: String,
    /// `unsubscribe`, `bounce` or `manual`.
    pub reason: String,
    pub note: String,
    pub added_by: String,
    pub added_at: String,
}

impl From<&SuppressionRow> for Suppression {
    fn from(r: &SuppressionRow) -> Suppression {
        Suppression {
            email: r.email.clone(),
            reason: r.reason.clone(),
            note: r.note.clone(),
            added_by: r.created_by.clone(),
            added_at: rfc3339(r.created_at_us),
        }
    }
}

/// A page of the suppression list by address.
#[derive(Debug, Serialize, ToSchema)]
pub struct SuppressionList {
    pub items: Vec<Suppression>,
    /// Pass as `cursor` (an address) for the next page.
    pub next_cursor: Option<String>,
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SuppressionParams {
    /// Text to find in the address.
    pub q: Option<String>,
    /// From `next_cursor` of the previous page.
    pub cursor: Option<String>,
    /// `json` (default) or `csv` (the whole list).
    pub format: Option<String>,
}

/// The suppression list by address, a page at a time, or all of it as CSV.
#[utoipa::path(get, path = "/api/v1/suppressions", tag = "marketing", params(SuppressionParams),
    responses((status = 200, body = SuppressionList), (status = 403, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])))]
pub async fn list_suppressions(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    Query(params): Query<SuppressionParams>,
) -> Response {
    let format = FormatParams {
        format: params.format.clone(),
    };
    match wants_csv(&format) {
        Err(e) => invalid(&e),
        Ok(true) => match marketing::suppressions_csv(&state.app, &actor).await {
            Ok(body) => csv("suppressions.csv", body),
            Err(e) => problem(&e),
        },
        Ok(false) => {
            let text = params.q.unwrap_or_default();
            let after = params.cursor.unwrap_or_default();
            match marketing::suppressions(&state.app, &actor, &text, &after).await {
                Ok(rows) => Json(SuppressionList {
                    next_cursor: rows
                        .last()
                        .filter(|_| rows.len() as i64 == marketing::PAGE_SIZE)
                        .map(|r| r.email_key.clone()),
                    items: rows.iter().map(Suppression::from).collect(),
                })
                .into_response(),
                Err(e) => problem(&e),
            }
        }
    }
}

/// An address to suppress.
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct SuppressionInput {
    pub email: Option<String>,
    pub note: Option<String>,
}

impl KnownFields for SuppressionInput {
    const FIELDS: &'static [&'static str] = &["email", "note"];
}

/// Whether the list changed.
#[derive(Debug, Serialize, ToSchema)]
pub struct SuppressionAdded {
    /// False when the address already was on the list.
    pub added: bool,
}

/// Put an address on the suppression list by hand (recorded in the audit journal).
#[utoipa::path(post, path = "/api/v1/suppressions", tag = "marketing", request_body = SuppressionInput,
    responses((status = 200, body = SuppressionAdded), (status = 403, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])))]
pub async fn add_suppression(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    ApiJson(input): ApiJson<SuppressionInput>,
) -> Response {
    let email = input.email.unwrap_or_default();
    let note = input.note.unwrap_or_default();
    match marketing::add_suppression(&state.app, &actor, &email, &note).await {
        Ok(added) => Json(SuppressionAdded { added }).into_response(),
        Err(e) => problem(&e),
    }
}

/// Take an address off the suppression list (recorded in the audit journal). 404 when it is not on it.
#[utoipa::path(post, path = "/api/v1/suppressions/remove", tag = "marketing", request_body = SuppressionInput,
    responses((status = 200, body = Suppression), (status = 404, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])))]
pub async fn remove_suppression(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    ApiJson(input): ApiJson<SuppressionInput>,
) -> Response {
    let email = input.email.unwrap_or_default();
    match marketing::remove_suppression(&state.app, &actor, &email).await {
        Ok(row) => Json(Suppression::from(&row)).into_response(),
        Err(e) => problem(&e),
    }
}

/// One record of an address's consent history.
#[derive(Debug, Serialize, ToSchema)]
pub struct Consent {
    pub id: i64,
    pub email: String,
    pub party_id: Option<i64>,
    /// `granted` or `withdrawn`.
    pub state: String,
    pub source: String,
    pub recorded_by: String,
    pub recorded_at: String,
}

impl From<&ConsentRow> for Consent {
    fn from(r: &ConsentRow) -> Consent {
        Consent {
            id: r.id,
            email: r.email.clone(),
            party_id: r.party_id,
            state: r.state.clone(),
            source: r.source.clone(),
            recorded_by: r.recorded_by.clone(),
            recorded_at: rfc3339(r.at_us),
        }
    }
}

/// Consent records, newest first.
#[derive(Debug, Serialize, ToSchema)]
pub struct ConsentList {
    pub items: Vec<Consent>,
    pub next_cursor: Option<String>,
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ConsentParams {
    /// One address's history; all records when absent.
    pub email: Option<String>,
    /// From `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

/// Consent records newest first, of one address or all; the newest of an address is in force.
#[utoipa::path(get, path = "/api/v1/consents", tag = "marketing", params(ConsentParams),
    responses((status = 200, body = ConsentList), (status = 403, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])))]
pub async fn list_consents(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    Query(params): Query<ConsentParams>,
) -> Response {
    let mut errors = FieldErrors::new();
    let before = after(params.cursor.as_deref(), &mut errors);
    if !errors.is_empty() {
        return invalid(&errors);
    }
    let email = params.email.unwrap_or_default();
    match marketing::consents(&state.app, &actor, &email, (before > 0).then_some(before)).await {
        Ok(rows) => Json(ConsentList {
            next_cursor: next_cursor(rows.last().map(|r| r.id), rows.len()),
            items: rows.iter().map(Consent::from).collect(),
        })
        .into_response(),
        Err(e) => problem(&e),
    }
}

/// A consent record to append.
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct ConsentInput {
    pub email: Option<String>,
    /// `granted` or `withdrawn`.
    pub state: Option<String>,
    /// Where the consent was given or withdrawn (a form, a call, a contract).
    pub source: Option<String>,
}

impl KnownFields for ConsentInput {
    const FIELDS: &'static [&'static str] = &["email", "state", "source"];
}

/// The id of the record written.
#[derive(Debug, Serialize, ToSchema)]
pub struct ConsentRecorded {
    pub id: i64,
}

/// Append a consent record for an address (the history is never rewritten).
#[utoipa::path(post, path = "/api/v1/consents", tag = "marketing", request_body = ConsentInput,
    responses((status = 201, body = ConsentRecorded), (status = 403, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])))]
pub async fn record_consent(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    ApiJson(input): ApiJson<ConsentInput>,
) -> Response {
    let email = input.email.unwrap_or_default();
    let consent = input.state.unwrap_or_default();
    let source = input.source.unwrap_or_default();
    match marketing::record_consent(&state.app, &actor, &email, &consent, &source).await {
        Ok(id) => (StatusCode::CREATED, Json(ConsentRecorded { id })).into_response(),
        Err(e) => problem(&e),
    }
}
