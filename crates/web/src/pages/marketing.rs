//! Marketing's pages: segments (list, new with a preview, one segment with
//! its members), campaigns (list with the sending settings, new, one
//! campaign with its recipients, sending and attribution), the suppression
//! list with bounces, consent records, and the public unsubscribe page.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use seam_app::marketing::{
    self, AttributionReport, CampaignRow, ConsentRow, MemberRow, Preview, RecipientRow, SegmentRow,
    SendSettings, SuppressionRow,
};
use seam_app::{Actor, AppError};
use seam_domain::FieldErrors;
use seam_domain::marketing::{
    CampaignDraft, CampaignState, MERGE_FIELDS, OverdueRule, SegmentDraft,
};
use serde::Deserialize;

use super::{FormData, IdPath};
use crate::AppState;
use crate::html::{Errors, Page, fail, locale_for, ok, redirect_with_flash, render};
use crate::i18n::I18n;
use crate::who::{CurrentActor, Requester, Who};

/// The error a failed form shows, and its status; other errors are pages of their own.
fn form_errors(i18n: &I18n, e: &AppError) -> Option<(StatusCode, Errors)> {
    match e {
        AppError::Invalid(fields) => {
            Some((StatusCode::UNPROCESSABLE_ENTITY, Errors::new(i18n, fields)))
        }
        AppError::Conflict(code) => Some((StatusCode::CONFLICT, Errors::one(i18n, "form", code))),
        _ => None,
    }
}

/// What a page shows besides its record: the form as typed (or `None` for
/// the saved values), its errors, and the status to answer with.
struct Shown<F> {
    form: Option<F>,
    errors: Errors,
    status: StatusCode,
}

impl<F> Shown<F> {
    fn fresh() -> Shown<F> {
        Shown {
            form: None,
            errors: Errors::default(),
            status: StatusCode::OK,
        }
    }

    fn failed(form: Option<F>, errors: Errors, status: StatusCode) -> Shown<F> {
        Shown {
            form,
            errors,
            status,
        }
    }
}

fn csv_response(name: &str, body: String) -> Response {
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

// ---------------------------------------------------------------- segments

/// A member ready to show.
pub struct MemberView {
    pub id: i64,
    pub name: String,
    pub kind: String,
    pub email: String,
    pub country: String,
    pub company: String,
}

fn member_views(i18n: &I18n, rows: &[MemberRow]) -> Vec<MemberView> {
    rows.iter()
        .map(|m| MemberView {
            id: m.id,
            name: m.name.clone(),
            kind: i18n.t(&format!("kind-{}", m.kind)),
            email: m.email.clone().unwrap_or_default(),
            country: m.country.clone().unwrap_or_default(),
            company: m.company.clone(),
        })
        .collect()
}

/// A preview ready to show.
pub struct PreviewView {
    pub count_text: String,
    pub count: i64,
    pub with_email: i64,
    pub members: Vec<MemberView>,
}

fn preview_view(i18n: &I18n, p: &Preview) -> PreviewView {
    PreviewView {
        count_text: i18n.t_args(
            "segment-count",
            &[
                ("count", p.count.to_string()),
                ("with_email", p.with_email.to_string()),
            ],
        ),
        count: p.count,
        with_email: p.with_email,
        members: member_views(i18n, &p.members),
    }
}

/// The choices of a segment form's selects, labelled.
pub struct SegmentChoices {
    pub kinds: Vec<(String, String)>,
    pub overdue: Vec<(String, String)>,
}

fn segment_choices(i18n: &I18n) -> SegmentChoices {
    SegmentChoices {
        kinds: [
            ("", "segment-kind-any"),
            ("company", "kind-company"),
            ("person", "kind-person"),
        ]
        .into_iter()
        .map(|(v, k)| (v.to_owned(), i18n.t(k)))
        .collect(),
        overdue: OverdueRule::ALL
            .into_iter()
            .map(|r| {
                (
                    r.name().to_owned(),
                    i18n.t(&format!("segment-overdue-{}", r.name())),
                )
            })
            .collect(),
    }
}

fn segment_draft(form: &FormData) -> SegmentDraft {
    SegmentDraft {
        name: form.get("name").to_owned(),
        kind: form.get("kind").to_owned(),
        country: form.get("country").to_owned(),
        tag: form.get("tag").to_owned(),
        bought_sku: form.get("bought_sku").to_owned(),
        bought_days: form.get("bought_days").to_owned(),
        overdue: form.get("overdue").to_owned(),
        created_days: form.get("created_days").to_owned(),
        consent: form.checked("consent"),
    }
}

/// A segment in a list.
pub struct SegmentItem {
    pub id: i64,
    pub name: String,
    pub summary: String,
    pub updated_at: String,
}

/// The filter in words, e.g. "Company · SE · bought FIT in 90 days".
fn summary(i18n: &I18n, d: &SegmentDraft) -> String {
    let mut parts = Vec::new();
    if !d.kind.is_empty() {
        parts.push(i18n.t(&format!("kind-{}", d.kind)));
    }
    if !d.country.is_empty() {
        parts.push(d.country.clone());
    }
    if !d.tag.is_empty() {
        parts.push(format!("#{}", d.tag));
    }
    if !d.bought_sku.is_empty() {
        parts.push(i18n.t_args(
            "segment-summary-bought",
            &[
                ("sku", d.bought_sku.clone()),
                ("days", d.bought_days.clone()),
            ],
        ));
    }
    if d.overdue != "any" && !d.overdue.is_empty() {
        parts.push(i18n.t(&format!("segment-overdue-{}", d.overdue)));
    }
    if !d.created_days.is_empty() {
        parts.push(i18n.t1("segment-summary-created", "days", d.created_days.clone()));
    }
    if d.consent {
        parts.push(i18n.t("segment-consent"));
    }
    if parts.is_empty() {
        return i18n.t("segment-summary-all");
    }
    parts.join(" · ")
}

fn segment_items(i18n: &I18n, time_zone: &str, rows: &[SegmentRow]) -> Vec<SegmentItem> {
    rows.iter()
        .map(|r| SegmentItem {
            id: r.id,
            name: r.name.clone(),
            summary: marketing::filter_of(r)
                .map(|f| summary(i18n, &SegmentDraft::of(&r.name, &f)))
                .unwrap_or_default(),
            updated_at: i18n.timestamp(&r.updated_at_us, time_zone),
        })
        .collect()
}

#[derive(Template)]
#[template(path = "marketing_segments.html")]
struct SegmentsPage {
    page: Page,
    segments: Vec<SegmentItem>,
    form: SegmentDraft,
    choices: SegmentChoices,
    preview: Option<PreviewView>,
    errors: Errors,
}

async fn segments_page(
    state: &AppState,
    who: &Who,
    actor: &Actor,
    form: SegmentDraft,
    preview: Option<Preview>,
    errors: Errors,
    status: StatusCode,
) -> Response {
    let rows = match marketing::segments(&state.app, actor).await {
        Ok(rows) => rows,
        Err(e) => return fail(who, &e),
    };
    let page = Page::new(state, who, "marketing-segments-title", "/marketing").await;
    render(
        status,
        &SegmentsPage {
            segments: segment_items(&page.i18n, &page.time_zone, &rows),
            form,
            choices: segment_choices(&page.i18n),
            preview: preview.map(|p| preview_view(&page.i18n, &p)),
            errors,
            page,
        },
    )
}

pub async fn segments(
    State(state): State<AppState>,
    Requester(who): Requester,
    CurrentActor(actor): CurrentActor,
) -> Response {
    segments_page(
        &state,
        &who,
        &actor,
        SegmentDraft::default(),
        None,
        Errors::default(),
        StatusCode::OK,
    )
    .await
}

pub async fn create_segment(
    State(state): State<AppState>,
    Requester(who): Requester,
    CurrentActor(actor): CurrentActor,
    form: FormData,
) -> Response {
    let draft = segment_draft(&form);
    match marketing::create_segment(&state.app, &actor, &draft).await {
        Ok(id) => {
            redirect_with_flash(
                &state,
                &who,
                &format!("/marketing/segments/{id}"),
                "flash-segment-saved",
            )
            .await
        }
        Err(e) => match form_errors(&I18n::new(actor.locale), &e) {
            Some((status, errors)) => {
                segments_page(&state, &who, &actor, draft, None, errors, status).await
            }
            None => fail(&who, &e),
        },
    }
}

/// Shows how many parties the typed filter holds, without saving it.
pub async fn preview_segment(
    State(state): State<AppState>,
    Requester(who): Requester,
    CurrentActor(actor): CurrentActor,
    form: FormData,
) -> Response {
    let draft = segment_draft(&form);
    match marketing::preview(&state.app, &actor, &draft).await {
        Ok(preview) => {
            segments_page(
                &state,
                &who,
                &actor,
                draft,
                Some(preview),
                Errors::default(),
                StatusCode::OK,
            )
            .await
        }
        Err(e) => match form_errors(&I18n::new(actor.locale), &e) {
            Some((status, errors)) => {
                segments_page(&state, &who, &actor, draft, None, errors, status).await
            }
            None => fail(&who, &e),
        },
    }
}

#[derive(Template)]
#[template(path = "marketing_segment.html")]
struct SegmentPage {
    page: Page,
    id: i64,
    version: i64,
    summary: String,
    preview: PreviewView,
    next_link: String,
    form: SegmentDraft,
    choices: SegmentChoices,
    errors: Errors,
}

#[derive(Debug, Default, Deserialize)]
pub struct AfterQuery {
    #[serde(default)]
    pub after: String,
}

async fn segment_page(
    state: &AppState,
    who: &Who,
    actor: &Actor,
    id: i64,
    after: i64,
    shown: Shown<SegmentDraft>,
) -> Response {
    let Shown {
        form,
        errors,
        status,
    } = shown;
    let detail = match marketing::segment(&state.app, actor, id).await {
        Ok(d) => d,
        Err(e) => return fail(who, &e),
    };
    let mut preview = detail.preview.clone();
    if after > 0 {
        match marketing::members(&state.app, actor, id, after).await {
            Ok(rows) => preview.members = rows,
            Err(e) => return fail(who, &e),
        }
    }
    let mut page = Page::new(state, who, "marketing-segment-title", "/marketing").await;
    page.title = detail.segment.name.clone();
    let saved = SegmentDraft::of(&detail.segment.name, &detail.filter);
    let next_link = match preview.members.last() {
        Some(last) if preview.members.len() as i64 == marketing::PAGE_SIZE => {
            format!("/marketing/segments/{id}?after={}", last.id)
        }
        _ => String::new(),
    };
    render(
        status,
        &SegmentPage {
            id,
            version: detail.segment.version,
            summary: summary(&page.i18n, &saved),
            preview: preview_view(&page.i18n, &preview),
            next_link,
            form: form.unwrap_or(saved),
            choices: segment_choices(&page.i18n),
            errors,
            page,
        },
    )
}

pub async fn segment(
    State(state): State<AppState>,
    Requester(who): Requester,
    CurrentActor(actor): CurrentActor,
    IdPath(id): IdPath,
    Query(query): Query<AfterQuery>,
) -> Response {
    let after = query.after.parse().unwrap_or(0);
    segment_page(&state, &who, &actor, id, after, Shown::fresh()).await
}

pub async fn update_segment(
    State(state): State<AppState>,
    Requester(who): Requester,
    CurrentActor(actor): CurrentActor,
    IdPath(id): IdPath,
    form: FormData,
) -> Response {
    let draft = segment_draft(&form);
    let version = form.get("version").parse().unwrap_or(0);
    match marketing::update_segment(&state.app, &actor, id, version, &draft).await {
        Ok(()) => {
            redirect_with_flash(
                &state,
                &who,
                &format!("/marketing/segments/{id}"),
                "flash-segment-saved",
            )
            .await
        }
        Err(e) => match form_errors(&I18n::new(actor.locale), &e) {
            Some((status, errors)) => {
                segment_page(
                    &state,
                    &who,
                    &actor,
                    id,
                    0,
                    Shown::failed(Some(draft), errors, status),
                )
                .await
            }
            None => fail(&who, &e),
        },
    }
}

// ---------------------------------------------------------------- campaigns

/// A campaign ready to show.
pub struct CampaignView {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub subject: String,
    pub body: String,
    pub from_address: String,
    pub segment_id: i64,
    pub segment_name: String,
    pub state: String,
    pub state_label: String,
    pub scheduled_at: String,
    pub started_at: String,
    pub finished_at: String,
    pub created_at: String,
    pub draft: bool,
    pub version: i64,
}

impl CampaignView {
    fn new(i18n: &I18n, time_zone: &str, r: &CampaignRow) -> CampaignView {
        let at = |t: Option<i64>| t.map(|t| i18n.timestamp(&t, time_zone)).unwrap_or_default();
        CampaignView {
            id: r.id,
            code: r.code.clone(),
            name: r.name.clone(),
            subject: r.subject.clone(),
            body: r.body.clone(),
            from_address: r.from_address.clone(),
            segment_id: r.segment_id,
            segment_name: r.segment_name.clone(),
            state: r.state.clone(),
            state_label: i18n.t(&format!("campaign-state-{}", r.state)),
            scheduled_at: at(r.scheduled_at_us),
            started_at: at(r.started_at_us),
            finished_at: at(r.finished_at_us),
            created_at: i18n.timestamp(&r.created_at_us, time_zone),
            draft: marketing::state_of(r) == CampaignState::Draft,
            version: r.version,
        }
    }
}

/// What a campaign form holds, kept as typed when it comes back with errors.
#[derive(Debug, Clone, Default)]
pub struct CampaignForm {
    pub code: String,
    pub name: String,
    pub subject: String,
    pub body: String,
    pub from_address: String,
    pub segment_id: String,
}

impl CampaignForm {
    fn from_form(form: &FormData) -> CampaignForm {
        CampaignForm {
            code: form.get("code").to_owned(),
            name: form.get("name").to_owned(),
            subject: form.get("subject").to_owned(),
            body: form.get("body").to_owned(),
            from_address: form.get("from_address").to_owned(),
            segment_id: form.get("segment_id").to_owned(),
        }
    }

    fn of(r: &CampaignRow) -> CampaignForm {
        CampaignForm {
            code: r.code.clone(),
            name: r.name.clone(),
            subject: r.subject.clone(),
            body: r.body.clone(),
            from_address: r.from_address.clone(),
            segment_id: r.segment_id.to_string(),
        }
    }

    fn draft(&self) -> CampaignDraft {
        CampaignDraft {
            code: self.code.clone(),
            name: self.name.clone(),
            subject: self.subject.clone(),
            body: self.body.clone(),
            from_address: self.from_address.clone(),
            segment_id: self.segment_id.trim().parse().ok(),
        }
    }
}

fn merge_fields_hint() -> String {
    MERGE_FIELDS
        .iter()
        .map(|f| format!("{{{{{f}}}}}"))
        .collect::<Vec<_>>()
        .join(" ")
}

#[derive(Template)]
#[template(path = "marketing_campaigns.html")]
struct CampaignsPage {
    page: Page,
    campaigns: Vec<CampaignView>,
    segments: Vec<(i64, String)>,
    form: CampaignForm,
    merge_fields: String,
    settings: SendSettings,
    next_link: String,
    errors: Errors,
}

async fn campaigns_page(
    state: &AppState,
    who: &Who,
    actor: &Actor,
    before: Option<i64>,
    form: CampaignForm,
    errors: Errors,
    status: StatusCode,
) -> Response {
    let (rows, segments, settings) = match tokio::try_join!(
        marketing::campaigns(&state.app, actor, before),
        marketing::segments(&state.app, actor),
        marketing::send_settings(&state.app, actor),
    ) {
        Ok(found) => found,
        Err(e) => return fail(who, &e),
    };
    let page = Page::new(state, who, "marketing-campaigns-title", "/marketing").await;
    let next_link = match rows.last() {
        Some(last) if rows.len() as i64 == marketing::PAGE_SIZE => {
            format!("/marketing/campaigns?before={}", last.id)
        }
        _ => String::new(),
    };
    render(
        status,
        &CampaignsPage {
            campaigns: rows
                .iter()
                .map(|r| CampaignView::new(&page.i18n, &page.time_zone, r))
                .collect(),
            segments: segments.iter().map(|s| (s.id, s.name.clone())).collect(),
            form,
            merge_fields: merge_fields_hint(),
            settings,
            next_link,
            errors,
            page,
        },
    )
}

#[derive(Debug, Default, Deserialize)]
pub struct BeforeQuery {
    #[serde(default)]
    pub before: String,
}

pub async fn campaigns(
    State(state): State<AppState>,
    Requester(who): Requester,
    CurrentActor(actor): CurrentActor,
    Query(query): Query<BeforeQuery>,
) -> Response {
    let before = query.before.parse().ok();
    let form = CampaignForm::default();
    campaigns_page(
        &state,
        &who,
        &actor,
        before,
        form,
        Errors::default(),
        StatusCode::OK,
    )
    .await
}

pub async fn create_campaign(
    State(state): State<AppState>,
    Requester(who): Requester,
    CurrentActor(actor): CurrentActor,
    form: FormData,
) -> Response {
    let typed = CampaignForm::from_form(&form);
    match marketing::create_campaign(&state.app, &actor, &typed.draft()).await {
        Ok(id) => {
            redirect_with_flash(
                &state,
                &who,
                &format!("/marketing/campaigns/{id}"),
                "flash-campaign-saved",
            )
            .await
        }
        Err(e) => match form_errors(&I18n::new(actor.locale), &e) {
            Some((status, errors)) => {
                campaigns_page(&state, &who, &actor, None, typed, errors, status).await
            }
            None => fail(&who, &e),
        },
    }
}

pub async fn save_settings(
    State(state): State<AppState>,
    Requester(who): Requester,
    CurrentActor(actor): CurrentActor,
    form: FormData,
) -> Response {
    match marketing::update_send_settings(
        &state.app,
        &actor,
        form.get("rate_per_tick"),
        form.get("tick_seconds"),
        form.get("base_url"),
    )
    .await
    {
        Ok(_) => {
            redirect_with_flash(&state, &who, "/marketing/campaigns", "flash-settings-saved").await
        }
        Err(e) => match form_errors(&I18n::new(actor.locale), &e) {
            Some((status, errors)) => {
                campaigns_page(
                    &state,
                    &who,
                    &actor,
                    None,
                    CampaignForm::default(),
                    errors,
                    status,
                )
                .await
            }
            None => fail(&who, &e),
        },
    }
}

/// A recipient ready to show.
pub struct RecipientView {
    pub id: i64,
    pub party_id: Option<i64>,
    pub name: String,
    pub email: String,
    pub status: String,
    pub status_label: String,
    pub error: String,
    pub sent_at: String,
}

fn recipient_views(i18n: &I18n, time_zone: &str, rows: &[RecipientRow]) -> Vec<RecipientView> {
    rows.iter()
        .map(|r| RecipientView {
            id: r.id,
            party_id: r.party_id,
            name: r.name.clone(),
            email: r.email.clone(),
            status: r.status.clone(),
            status_label: i18n.t(&format!("recipient-status-{}", r.status)),
            error: r.error.clone(),
            sent_at: r
                .sent_at_us
                .map(|t| i18n.timestamp(&t, time_zone))
                .unwrap_or_default(),
        })
        .collect()
}

/// One lead's line of the attribution table.
pub struct AttributionLine {
    pub lead_id: i64,
    pub name: String,
    pub company: String,
    pub date: String,
    pub state: String,
    pub party_id: Option<i64>,
    pub party_name: String,
    pub opportunities: usize,
    pub won: usize,
    pub won_amount: String,
    pub invoiced: String,
}

/// The attribution ready to show.
pub struct AttributionView {
    pub leads: i64,
    pub qualified: i64,
    pub opportunities: i64,
    pub won: i64,
    pub won_amount: String,
    pub invoices: i64,
    pub invoiced: String,
    pub lines: Vec<AttributionLine>,
}

fn totals(i18n: &I18n, t: &[(String, i64)]) -> String {
    if t.is_empty() {
        return "–".to_owned();
    }
    t.iter()
        .map(|(c, m)| format!("{} {c}", i18n.money(*m, c)))
        .collect::<Vec<_>>()
        .join(", ")
}

fn attribution_view(i18n: &I18n, r: &AttributionReport) -> AttributionView {
    let s = &r.summary;
    AttributionView {
        leads: s.leads,
        qualified: s.qualified,
        opportunities: s.opportunities,
        won: s.won,
        won_amount: totals(i18n, &s.won_amount),
        invoices: s.invoices,
        invoiced: totals(i18n, &s.invoiced),
        lines: r
            .leads
            .iter()
            .map(|l| AttributionLine {
                lead_id: l.lead.id,
                name: l.lead.name.clone(),
                company: l.lead.company.clone(),
                date: i18n.date(&l.date),
                state: i18n.t(&format!("lead-state-{}", l.lead.state)),
                party_id: l.lead.party_id,
                party_name: l.lead.party_name.clone().unwrap_or_default(),
                opportunities: l.opportunities.len(),
                won: l.opportunities.iter().filter(|o| o.stage == "won").count(),
                won_amount: totals(i18n, &l.won_amount),
                invoiced: totals(i18n, &l.invoiced),
            })
            .collect(),
    }
}

#[derive(Template)]
#[template(path = "marketing_campaign.html")]
struct CampaignPage {
    page: Page,
    campaign: CampaignView,
    counts: Vec<(String, i64)>,
    recipients: Vec<RecipientView>,
    next_link: String,
    attribution: AttributionView,
    segments: Vec<(i64, String)>,
    form: CampaignForm,
    merge_fields: String,
    errors: Errors,
}

async fn campaign_page(
    state: &AppState,
    who: &Who,
    actor: &Actor,
    id: i64,
    after: i64,
    shown: Shown<CampaignForm>,
) -> Response {
    let Shown {
        form,
        errors,
        status,
    } = shown;
    let (detail, report, segments) = match tokio::try_join!(
        marketing::campaign(&state.app, actor, id),
        marketing::attribution(&state.app, actor, id),
        marketing::segments(&state.app, actor),
    ) {
        Ok(found) => found,
        Err(e) => return fail(who, &e),
    };
    let mut recipients = detail.recipients.clone();
    if after > 0 {
        match marketing::recipients(&state.app, actor, id, None, after).await {
            Ok(rows) => recipients = rows,
            Err(e) => return fail(who, &e),
        }
    }
    let mut page = Page::new(state, who, "marketing-campaign-title", "/marketing").await;
    page.title = detail.campaign.name.clone();
    let next_link = match recipients.last() {
        Some(last) if recipients.len() as i64 == marketing::PAGE_SIZE => {
            format!("/marketing/campaigns/{id}?after={}", last.id)
        }
        _ => String::new(),
    };
    let counts = detail
        .counts
        .iter()
        .map(|(s, n)| (page.i18n.t(&format!("recipient-status-{s}")), *n))
        .collect();
    render(
        status,
        &CampaignPage {
            campaign: CampaignView::new(&page.i18n, &page.time_zone, &detail.campaign),
            counts,
            recipients: recipient_views(&page.i18n, &page.time_zone, &recipients),
            next_link,
            attribution: attribution_view(&page.i18n, &report),
            segments: segments.iter().map(|s| (s.id, s.name.clone())).collect(),
            form: form.unwrap_or_else(|| CampaignForm::of(&detail.campaign)),
            merge_fields: merge_fields_hint(),
            errors,
            page,
        },
    )
}

pub async fn campaign(
    State(state): State<AppState>,
    Requester(who): Requester,
    CurrentActor(actor): CurrentActor,
    IdPath(id): IdPath,
    Query(query): Query<AfterQuery>,
) -> Response {
    let after = query.after.parse().unwrap_or(0);
    campaign_page(&state, &who, &actor, id, after, Shown::fresh()).await
}

pub async fn update_campaign(
    State(state): State<AppState>,
    Requester(who): Requester,
    CurrentActor(actor): CurrentActor,
    IdPath(id): IdPath,
    form: FormData,
) -> Response {
    let typed = CampaignForm::from_form(&form);
    let version = form.get("version").parse().unwrap_or(0);
    match marketing::update_campaign(&state.app, &actor, id, version, &typed.draft()).await {
        Ok(()) => {
            redirect_with_flash(
                &state,
                &who,
                &format!("/marketing/campaigns/{id}"),
                "flash-campaign-saved",
            )
            .await
        }
        Err(e) => match form_errors(&I18n::new(actor.locale), &e) {
            Some((status, errors)) => {
                campaign_page(
                    &state,
                    &who,
                    &actor,
                    id,
                    0,
                    Shown::failed(Some(typed), errors, status),
                )
                .await
            }
            None => fail(&who, &e),
        },
    }
}

/// A date and time typed in the user's zone (`YYYY-MM-DDTHH:MM`) as microseconds.
fn local_time_us(text: &str, time_zone: &str) -> Result<Option<i64>, FieldErrors> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    let bad = || FieldErrors::one("at", "error-date-time");
    let civil: jiff::civil::DateTime = text.parse().map_err(|_| bad())?;
    let zone = jiff::tz::TimeZone::get(time_zone).unwrap_or(jiff::tz::TimeZone::UTC);
    let zoned = civil.to_zoned(zone).map_err(|_| bad())?;
    Ok(Some(zoned.timestamp().as_microsecond()))
}

pub async fn send_campaign(
    State(state): State<AppState>,
    Requester(who): Requester,
    CurrentActor(actor): CurrentActor,
    IdPath(id): IdPath,
    form: FormData,
) -> Response {
    let i18n = I18n::new(actor.locale);
    let at = match local_time_us(form.get("at"), &actor.time_zone) {
        Ok(at) => at,
        Err(e) => {
            let errors = Errors::new(&i18n, &e);
            return campaign_page(
                &state,
                &who,
                &actor,
                id,
                0,
                Shown::failed(None, errors, StatusCode::UNPROCESSABLE_ENTITY),
            )
            .await;
        }
    };
    match marketing::send_campaign(&state.app, &actor, id, at).await {
        Ok(row) => {
            let flash = if row.state == "scheduled" {
                "flash-campaign-scheduled"
            } else {
                "flash-campaign-sending"
            };
            redirect_with_flash(&state, &who, &format!("/marketing/campaigns/{id}"), flash).await
        }
        Err(e) => match form_errors(&i18n, &e) {
            Some((status, errors)) => {
                campaign_page(
                    &state,
                    &who,
                    &actor,
                    id,
                    0,
                    Shown::failed(None, errors, status),
                )
                .await
            }
            None => fail(&who, &e),
        },
    }
}

pub async fn attribution_csv(
    State(state): State<AppState>,
    Requester(who): Requester,
    CurrentActor(actor): CurrentActor,
    IdPath(id): IdPath,
) -> Response {
    match marketing::attribution_csv(&state.app, &actor, id).await {
        Ok(body) => csv_response(&format!("campaign-{id}-attribution.csv"), body),
        Err(e) => fail(&who, &e),
    }
}

pub async fn bounce_recipient(
    State(state): State<AppState>,
    Requester(who): Requester,
    CurrentActor(actor): CurrentActor,
    IdPath(id): IdPath,
    form: FormData,
) -> Response {
    let hard = form.checked("hard");
    match marketing::bounce_recipient(&state.app, &actor, id, hard).await {
        Ok(row) => {
            redirect_with_flash(
                &state,
                &who,
                &format!("/marketing/campaigns/{}", row.campaign_id),
                "flash-bounce-recorded",
            )
            .await
        }
        Err(e) => fail(&who, &e),
    }
}

// ---------------------------------------------------------------- suppression and consent

/// A suppressed address ready to show.
pub struct SuppressionView {
    pub email: String,
    pub reason: String,
    pub note: String,
    pub by: String,
    pub at: String,
}

fn suppression_views(
    i18n: &I18n,
    time_zone: &str,
    rows: &[SuppressionRow],
) -> Vec<SuppressionView> {
    rows.iter()
        .map(|r| SuppressionView {
            email: r.email.clone(),
            reason: i18n.t(&format!("suppression-reason-{}", r.reason)),
            note: r.note.clone(),
            by: r.created_by.clone(),
            at: i18n.timestamp(&r.created_at_us, time_zone),
        })
        .collect()
}

#[derive(Template)]
#[template(path = "marketing_suppressions.html")]
struct SuppressionsPage {
    page: Page,
    rows: Vec<SuppressionView>,
    text: String,
    next_link: String,
    email: String,
    note: String,
    errors: Errors,
}

#[derive(Debug, Default, Deserialize)]
pub struct SuppressionQuery {
    #[serde(default)]
    pub q: String,
    #[serde(default)]
    pub after: String,
}

async fn suppressions_page(
    state: &AppState,
    who: &Who,
    actor: &Actor,
    query: &SuppressionQuery,
    form: (&str, &str),
    errors: Errors,
    status: StatusCode,
) -> Response {
    let rows = match marketing::suppressions(&state.app, actor, &query.q, &query.after).await {
        Ok(rows) => rows,
        Err(e) => return fail(who, &e),
    };
    let page = Page::new(state, who, "marketing-suppressions-title", "/marketing").await;
    let next_link = match rows.last() {
        Some(last) if rows.len() as i64 == marketing::PAGE_SIZE => format!(
            "/marketing/suppressions?{}",
            super::query_string(&[("q", &query.q), ("after", &last.email_key)])
        ),
        _ => String::new(),
    };
    render(
        status,
        &SuppressionsPage {
            rows: suppression_views(&page.i18n, &page.time_zone, &rows),
            text: query.q.clone(),
            next_link,
            email: form.0.to_owned(),
            note: form.1.to_owned(),
            errors,
            page,
        },
    )
}

pub async fn suppressions(
    State(state): State<AppState>,
    Requester(who): Requester,
    CurrentActor(actor): CurrentActor,
    Query(query): Query<SuppressionQuery>,
) -> Response {
    suppressions_page(
        &state,
        &who,
        &actor,
        &query,
        ("", ""),
        Errors::default(),
        StatusCode::OK,
    )
    .await
}

async fn after_suppression_form(
    state: &AppState,
    who: &Who,
    actor: &Actor,
    form: &FormData,
    result: Result<&'static str, AppError>,
) -> Response {
    match result {
        Ok(flash) => redirect_with_flash(state, who, "/marketing/suppressions", flash).await,
        Err(e) => match form_errors(&I18n::new(actor.locale), &e) {
            Some((status, errors)) => {
                let query = SuppressionQuery::default();
                let typed = (form.get("email"), form.get("note"));
                suppressions_page(state, who, actor, &query, typed, errors, status).await
            }
            None => fail(who, &e),
        },
    }
}

pub async fn add_suppression(
    State(state): State<AppState>,
    Requester(who): Requester,
    CurrentActor(actor): CurrentActor,
    form: FormData,
) -> Response {
    let result =
        marketing::add_suppression(&state.app, &actor, form.get("email"), form.get("note"))
            .await
            .map(|added| {
                if added {
                    "flash-suppressed"
                } else {
                    "flash-already-suppressed"
                }
            });
    after_suppression_form(&state, &who, &actor, &form, result).await
}

pub async fn remove_suppression(
    State(state): State<AppState>,
    Requester(who): Requester,
    CurrentActor(actor): CurrentActor,
    form: FormData,
) -> Response {
    let result = marketing::remove_suppression(&state.app, &actor, form.get("email"))
        .await
        .map(|_| "flash-unsuppressed");
    after_suppression_form(&state, &who, &actor, &form, result).await
}

pub async fn record_bounce(
    State(state): State<AppState>,
    Requester(who): Requester,
    CurrentActor(actor): CurrentActor,
    form: FormData,
) -> Response {
    let result = marketing::record_bounce(
        &state.app,
        &actor,
        form.get("email"),
        form.checked("hard"),
        form.get("note"),
    )
    .await
    .map(|_| "flash-bounce-recorded");
    after_suppression_form(&state, &who, &actor, &form, result).await
}

pub async fn suppressions_csv(
    State(state): State<AppState>,
    Requester(who): Requester,
    CurrentActor(actor): CurrentActor,
) -> Response {
    match marketing::suppressions_csv(&state.app, &actor).await {
        Ok(body) => csv_response("suppressions.csv", body),
        Err(e) => fail(&who, &e),
    }
}

/// A consent record ready to show.
pub struct ConsentView {
    pub email: String,
    pub state: String,
    pub state_label: String,
    pub source: String,
    pub by: String,
    pub at: String,
}

fn consent_views(i18n: &I18n, time_zone: &str, rows: &[ConsentRow]) -> Vec<ConsentView> {
    rows.iter()
        .map(|r| ConsentView {
            email: r.email.clone(),
            state: r.state.clone(),
            state_label: i18n.t(&format!("consent-state-{}", r.state)),
            source: r.source.clone(),
            by: r.recorded_by.clone(),
            at: i18n.timestamp(&r.at_us, time_zone),
        })
        .collect()
}

#[derive(Template)]
#[template(path = "marketing_consents.html")]
struct ConsentsPage {
    page: Page,
    rows: Vec<ConsentView>,
    email: String,
    form_email: String,
    form_state: String,
    form_source: String,
    errors: Errors,
}

#[derive(Debug, Default, Deserialize)]
pub struct ConsentQuery {
    #[serde(default)]
    pub email: String,
}

async fn consents_page(
    state: &AppState,
    who: &Who,
    actor: &Actor,
    email: &str,
    form: (&str, &str, &str),
    mut errors: Errors,
    status: StatusCode,
) -> Response {
    let rows = match marketing::consents(&state.app, actor, email, None).await {
        Ok(rows) => rows,
        Err(AppError::Invalid(_)) => {
            errors.items.push((
                "lookup".to_owned(),
                I18n::new(actor.locale).t("error-email"),
            ));
            Vec::new()
        }
        Err(e) => return fail(who, &e),
    };
    let page = Page::new(state, who, "marketing-consents-title", "/marketing").await;
    render(
        status,
        &ConsentsPage {
            rows: consent_views(&page.i18n, &page.time_zone, &rows),
            email: email.to_owned(),
            form_email: form.0.to_owned(),
            form_state: form.1.to_owned(),
            form_source: form.2.to_owned(),
            errors,
            page,
        },
    )
}

pub async fn consents(
    State(state): State<AppState>,
    Requester(who): Requester,
    CurrentActor(actor): CurrentActor,
    Query(query): Query<ConsentQuery>,
) -> Response {
    let form = (query.email.as_str(), "granted", "");
    consents_page(
        &state,
        &who,
        &actor,
        &query.email,
        form,
        Errors::default(),
        StatusCode::OK,
    )
    .await
}

pub async fn record_consent(
    State(state): State<AppState>,
    Requester(who): Requester,
    CurrentActor(actor): CurrentActor,
    form: FormData,
) -> Response {
    let email = form.get("email");
    match marketing::record_consent(
        &state.app,
        &actor,
        email,
        form.get("state"),
        form.get("source"),
    )
    .await
    {
        Ok(_) => {
            let to = format!(
                "/marketing/consents?{}",
                super::query_string(&[("email", email.trim())])
            );
            redirect_with_flash(&state, &who, &to, "flash-consent-recorded").await
        }
        Err(e) => match form_errors(&I18n::new(actor.locale), &e) {
            Some((status, errors)) => {
                let typed = (email, form.get("state"), form.get("source"));
                consents_page(&state, &who, &actor, "", typed, errors, status).await
            }
            None => fail(&who, &e),
        },
    }
}

// ---------------------------------------------------------------- the public unsubscribe page

#[derive(Template)]
#[template(path = "unsubscribe.html")]
struct UnsubscribePage {
    page: Page,
    token: String,
    question: String,
    done_text: String,
    done: bool,
}

fn unsubscribe_response(
    i18n: I18n,
    token: &str,
    target: Result<marketing::UnsubscribeTarget, AppError>,
    who: &Who,
) -> Response {
    match target {
        Ok(t) => ok(&UnsubscribePage {
            question: i18n.t_args(
                "unsubscribe-question",
                &[
                    ("email", t.email_hint.clone()),
                    ("campaign", t.campaign_name),
                ],
            ),
            done_text: i18n.t1("unsubscribe-done", "email", t.email_hint),
            page: Page::anonymous(i18n, "unsubscribe-title"),
            token: token.to_owned(),
            done: t.done,
        }),
        Err(e) => fail(who, &e),
    }
}

/// The page an unsubscribe link opens: who is unsubscribed, and a button to confirm.
pub async fn unsubscribe_page(
    State(state): State<AppState>,
    Requester(who): Requester,
    headers: HeaderMap,
    Path(token): Path<String>,
) -> Response {
    let i18n = I18n::new(locale_for(&who, &headers));
    let target = marketing::unsubscribe_target(&state.app, &token).await;
    unsubscribe_response(i18n, &token, target, &who)
}

/// Unsubscribes: the page's button, or a mail client's one-click POST
/// (RFC 8058, body `List-Unsubscribe=One-Click`). No login and no form
/// fields are needed, and a repeat answers 200 all the same.
pub async fn unsubscribe_submit(
    State(state): State<AppState>,
    Requester(who): Requester,
    headers: HeaderMap,
    Path(token): Path<String>,
) -> Response {
    let i18n = I18n::new(locale_for(&who, &headers));
    if let Err(e) = marketing::unsubscribe(&state.app, &token).await {
        return fail(&who, &e);
    }
    let target = marketing::unsubscribe_target(&state.app, &token).await;
    unsubscribe_response(i18n, &token, target, &who)
}
