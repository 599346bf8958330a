//! `/api/v1/leads`, `/api/v1/opportunities`, `/api/v1/activities` and
//! `/api/v1/crm/…`: the CRM and the sales pipeline for integrators. Leads
//! come in (one at a time or as a CSV file), are found again when they come
//! twice and merged, qualified into a customer and an opportunity, or
//! disqualified; opportunities move through the pipeline and are won (into
//! a draft quote) or lost; activities are logged and done.

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use seam_app::crm::{
    self, ActivityRow, Duplicate, LeadDetail, LeadRow, LineDraft, OpportunityDetail,
    OpportunityFilter, OpportunityLineRow, OpportunityRow, QualifyInput,
};
use seam_app::parties::PartyRow;
use seam_app::{Actor, AppError};
use seam_domain::FieldErrors;
use seam_domain::crm::{ActivityDraft, LeadDraft, LeadSource, LeadState, OpportunityDraft, Stage};
use seam_domain::ids::PartyId;
use seam_domain::ledger::format_amount;
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

/// A use case's field errors with some fields renamed to what the request calls them.
fn renamed(err: AppError, names: &[(&str, &str)]) -> AppError {
    match err {
        AppError::Invalid(errors) => {
            let mut out = FieldErrors::new();
            for e in errors.iter() {
                let field = names
                    .iter()
                    .find(|(from, _)| *from == e.field)
                    .map_or(e.field.as_str(), |(_, to)| to);
                out.add(field, e.code);
            }
            AppError::Invalid(out)
        }
        other => other,
    }
}

/// A `cursor` query parameter: the id of the last row of the previous page.
fn cursor(text: Option<&str>, errors: &mut FieldErrors) -> Option<i64> {
    match text.map(str::trim) {
        None | Some("") => None,
        Some(c) => c.parse::<i64>().ok().filter(|c| *c > 0).or_else(|| {
            errors.add("cursor", "error-cursor");
            None
        }),
    }
}

/// The next page's cursor when this page is full.
fn next_cursor(ids: impl Iterator<Item = i64>, len: usize) -> Option<String> {
    let last = ids.last()?;
    (len as i64 == crm::PAGE_SIZE).then(|| last.to_string())
}

/// A lead: someone who may buy.
#[derive(Debug, Serialize, ToSchema)]
pub struct Lead {
    pub id: i64,
    pub name: String,
    pub company: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    /// `web_form`, `api`, `import` or `manual`.
    pub source: String,
    /// `open`, `qualified`, `disqualified` or `merged`.
    pub state: String,
    /// The campaign code the lead answered.
    pub campaign: String,
    pub notes: String,
    pub owner_user_id: Option<i64>,
    pub owner_name: Option<String>,
    /// The party it was qualified into.
    pub party_id: Option<i64>,
    pub party_name: Option<String>,
    /// The lead it was merged into.
    pub merged_into_id: Option<i64>,
    /// Send this back with an update; a stale version is refused with 409.
    pub version: i64,
    pub created_at: String,
    pub updated_at: String,
}

impl From<&LeadRow> for Lead {
    fn from(r: &LeadRow) -> Lead {
        Lead {
            id: r.id,
            name: r.name.clone(),
            company: r.company.clone(),
            email: r.email.clone(),
            phone: r.phone.clone(),
            source: r.source.clone(),
            state: r.state.clone(),
            campaign: r.campaign.clone(),
            notes: r.notes.clone(),
            owner_user_id: r.owner_user_id,
            owner_name: r.owner_name.clone(),
            party_id: r.party_id,
            party_name: r.party_name.clone(),
            merged_into_id: r.merged_into_id,
            version: r.version,
            created_at: rfc3339(r.created_at_us),
            updated_at: rfc3339(r.updated_at_us),
        }
    }
}

/// Another lead that looks like the same person: merge it in.
#[derive(Debug, Serialize, ToSchema)]
pub struct LeadMatch {
    pub lead: Lead,
    /// Why: `email`, `phone`, `name`.
    pub reasons: Vec<String>,
}

/// A party that looks like the lead: qualify into it (`existing_party`).
#[derive(Debug, Serialize, ToSchema)]
pub struct PartyMatch {
    pub party_id: i64,
    /// `company` or `person`.
    pub kind: String,
    pub name: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    /// Why: `email`, `phone`, `name`.
    pub reasons: Vec<String>,
}

fn reasons<T>(d: &Duplicate<T>) -> Vec<String> {
    d.reasons.iter().map(|r| r.name().to_owned()).collect()
}

fn party_match(d: &Duplicate<PartyRow>) -> PartyMatch {
    PartyMatch {
        party_id: d.record.id,
        kind: d.record.kind.clone(),
        name: d.record.name.clone(),
        email: d.record.email.clone(),
        phone: d.record.phone.clone(),
        reasons: reasons(d),
    }
}

/// A lead with its possible duplicates, matching parties, activities and opportunities.
#[derive(Debug, Serialize, ToSchema)]
pub struct LeadWithDetail {
    #[serde(flatten)]
    pub lead: Lead,
    /// Open leads that look like the same person (only while this one is open).
    pub duplicates: Vec<LeadMatch>,
    /// Parties that look like them (only while open, and with `parties.read`).
    pub parties: Vec<PartyMatch>,
    pub activities: Vec<Activity>,
    /// The opportunities opened from it (with `sales.use`).
    pub opportunities: Vec<Opportunity>,
}

impl From<&LeadDetail> for LeadWithDetail {
    fn from(d: &LeadDetail) -> LeadWithDetail {
        LeadWithDetail {
            lead: Lead::from(&d.lead),
            duplicates: d
                .duplicates
                .iter()
                .map(|m| LeadMatch {
                    lead: Lead::from(&m.record),
                    reasons: reasons(m),
                })
                .collect(),
            parties: d.parties.iter().map(party_match).collect(),
            activities: d.activities.iter().map(Activity::from).collect(),
            opportunities: d.opportunities.iter().map(Opportunity::from).collect(),
        }
    }
}

async fn lead_response(state: &AppState, actor: &Actor, id: i64, status: StatusCode) -> Response {
    match crm::lead_detail(&state.app, actor, id).await {
        Ok(d) => (status, Json(LeadWithDetail::from(&d))).into_response(),
        Err(e) => problem(&e),
    }
}

/// A page of leads, newest first.
#[derive(Debug, Serialize, ToSchema)]
pub struct LeadList {
    pub items: Vec<Lead>,
    /// Pass as `cursor` for the next page; absent on the last page.
    pub next_cursor: Option<String>,
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct LeadListParams {
    /// `open`, `qualified`, `disqualified` or `merged`; all when absent.
    pub state: Option<String>,
    /// Text to find in the name, company or e-mail.
    pub q: Option<String>,
    /// From `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

/// List leads, newest first, a page at a time.
#[utoipa::path(get, path = "/api/v1/leads", tag = "crm", params(LeadListParams),
    responses((status = 200, body = LeadList), (status = 401, body = Problem), (status = 403, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])))]
pub async fn list_leads(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    Query(params): Query<LeadListParams>,
) -> Response {
    let mut errors = FieldErrors::new();
    let lead_state = match params.state.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(s) => LeadState::parse(s).or_else(|| {
            errors.add("state", "error-choice");
            None
        }),
    };
    let before = cursor(params.cursor.as_deref(), &mut errors);
    if !errors.is_empty() {
        return invalid(&errors);
    }
    let text = params.q.unwrap_or_default();
    match crm::list_leads(&state.app, &actor, lead_state, &text, before).await {
        Ok(rows) => Json(LeadList {
            next_cursor: next_cursor(rows.iter().map(|r| r.id), rows.len()),
            items: rows.iter().map(Lead::from).collect(),
        })
        .into_response(),
        Err(e) => problem(&e),
    }
}

/// A lead's fields; `name` is required.
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct LeadInput {
    pub name: Option<String>,
    pub company: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub notes: Option<String>,
    /// The campaign code the lead answered (`utm_campaign`).
    pub campaign: Option<String>,
    /// Required on update: the `version` the change was based on.
    pub version: Option<i64>,
}

impl KnownFields for LeadInput {
    const FIELDS: &'static [&'static str] = &[
        "name", "company", "email", "phone", "notes", "campaign", "version",
    ];
}

impl LeadInput {
    fn draft(self) -> LeadDraft {
        LeadDraft {
            name: self.name.unwrap_or_default(),
            company: self.company.unwrap_or_default(),
            email: self.email.unwrap_or_default(),
            phone: self.phone.unwrap_or_default(),
            notes: self.notes.unwrap_or_default(),
            campaign: self.campaign.unwrap_or_default(),
        }
    }
}

/// Add a lead (source `api`, owned by the token's user). The answer lists
/// the open leads that look like the same person. Send `Idempotency-Key`
/// to make retries safe.
#[utoipa::path(post, path = "/api/v1/leads", tag = "crm", request_body = LeadInput,
    params(("Idempotency-Key" = Option<String>, Header, description = "Repeat a request safely: the same key returns the first response")),
    responses((status = 201, body = LeadWithDetail), (status = 403, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])))]
pub async fn create_lead(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    ApiJson(input): ApiJson<LeadInput>,
) -> Response {
    if input.version.is_some() {
        return invalid(&FieldErrors::one("version", "error-unknown-field"));
    }
    match crm::add_lead(&state.app, &actor, &input.draft(), LeadSource::Api).await {
        Ok(id) => lead_response(&state, &actor, id, StatusCode::CREATED).await,
        Err(e) => problem(&e),
    }
}

/// One lead with its possible duplicates, matching parties, activities and opportunities.
#[utoipa::path(get, path = "/api/v1/leads/{id}", tag = "crm", params(("id" = i64, Path)),
    responses((status = 200, body = LeadWithDetail), (status = 403, body = Problem), (status = 404, body = Problem)),
    security(("bearer" = [])))]
pub async fn lead(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    IdPath(id): IdPath,
) -> Response {
    lead_response(&state, &actor, id, StatusCode::OK).await
}

/// Replace an open lead's fields. `version` must be the one read; otherwise 409.
#[utoipa::path(put, path = "/api/v1/leads/{id}", tag = "crm", request_body = LeadInput, params(("id" = i64, Path)),
    responses((status = 200, body = LeadWithDetail), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])))]
pub async fn update_lead(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    IdPath(id): IdPath,
    ApiJson(input): ApiJson<LeadInput>,
) -> Response {
    let Some(version) = input.version else {
        return invalid(&FieldErrors::one("version", "error-required"));
    };
    match crm::update_lead(&state.app, &actor, id, version, &input.draft()).await {
        Ok(()) => lead_response(&state, &actor, id, StatusCode::OK).await,
        Err(e) => problem(&e),
    }
}

/// Which lead to merge into this one.
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct MergeInput {
    /// The other lead: it is closed as merged, and its activities and opportunities move here.
    pub other: Option<i64>,
}

impl KnownFields for MergeInput {
    const FIELDS: &'static [&'static str] = &["other"];
}

/// Merge lead `other` into this one: this lead keeps its values and takes
/// the other's where its own are blank, and both notes; 409 unless both are
/// open and different.
#[utoipa::path(post, path = "/api/v1/leads/{id}/merge", tag = "crm", request_body = MergeInput, params(("id" = i64, Path)),
    responses((status = 200, body = LeadWithDetail), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])))]
pub async fn merge_lead(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    IdPath(id): IdPath,
    ApiJson(input): ApiJson<MergeInput>,
) -> Response {
    let Some(other) = input.other else {
        return invalid(&FieldErrors::one("other", "error-required"));
    };
    match crm::merge_leads(&state.app, &actor, id, other).await {
        Ok(()) => lead_response(&state, &actor, id, StatusCode::OK).await,
        Err(e) => problem(&e),
    }
}

/// A product and quantity on an opportunity.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OpportunityLineInput {
    /// The product's SKU.
    pub product: Option<String>,
    /// Whole units above zero, as a string (`"2"`).
    pub qty: Option<String>,
}

fn line_drafts(lines: Option<Vec<OpportunityLineInput>>) -> Vec<LineDraft> {
    lines
        .unwrap_or_default()
        .into_iter()
        .map(|l| LineDraft {
            product: l.product.unwrap_or_default(),
            qty: l.qty.unwrap_or_default(),
        })
        .collect()
}

/// How to qualify a lead: the opportunity to open, and optionally the
/// existing party it turned out to be.
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct QualifyRequest {
    /// An existing party (see `parties` of the lead); when absent a customer
    /// is made from the lead: a company with the lead as its contact person,
    /// or a person.
    pub existing_party: Option<i64>,
    pub title: Option<String>,
    /// The expected value, a decimal string (`12000.00`).
    pub amount: Option<String>,
    /// Three letters (`EUR`).
    pub currency: Option<String>,
    /// `YYYY-MM-DD`.
    pub expected_close: Option<String>,
    /// The salesperson; the token's user when absent.
    pub owner_user_id: Option<i64>,
    /// Errors name lines by position from 0: `lines[0].qty`.
    pub lines: Option<Vec<OpportunityLineInput>>,
}

impl KnownFields for QualifyRequest {
    const FIELDS: &'static [&'static str] = &[
        "existing_party",
        "title",
        "amount",
        "currency",
        "expected_close",
        "owner_user_id",
        "lines",
    ];
}

/// What qualifying made.
#[derive(Debug, Serialize, ToSchema)]
pub struct QualifyResult {
    /// The customer the opportunity is for: the company, or the person.
    pub party_id: i64,
    /// The contact person, when the lead named a company.
    pub contact_id: Option<i64>,
    pub opportunity_id: i64,
}

/// Qualify an open lead, all or nothing: it becomes a customer (or is
/// linked to `existing_party`) and an opportunity is opened for it. Needs
/// `sales.use` and `parties.write`.
#[utoipa::path(post, path = "/api/v1/leads/{id}/qualify", tag = "crm", request_body = QualifyRequest, params(("id" = i64, Path)),
    responses((status = 201, body = QualifyResult), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])))]
pub async fn qualify(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    IdPath(id): IdPath,
    ApiJson(input): ApiJson<QualifyRequest>,
) -> Response {
    let request = QualifyInput {
        existing_party: input.existing_party.map(PartyId),
        opportunity: OpportunityDraft {
            party_id: None,
            title: input.title.unwrap_or_default(),
            amount: input.amount.unwrap_or_default(),
            currency: input.currency.unwrap_or_default(),
            expected_close: input.expected_close.unwrap_or_default(),
            owner_user_id: input.owner_user_id.or(actor.user_id.map(|u| u.0)),
        },
        lines: line_drafts(input.lines),
    };
    match crm::qualify(&state.app, &actor, id, &request).await {
        Ok(q) => (
            StatusCode::CREATED,
            Json(QualifyResult {
                party_id: q.party_id.0,
                contact_id: q.contact_id.map(|c| c.0),
                opportunity_id: q.opportunity_id,
            }),
        )
            .into_response(),
        Err(e) => problem(&renamed(e, &[("party_id", "existing_party")])),
    }
}

/// Why a lead or an opportunity is given up.
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct ReasonInput {
    pub reason: Option<String>,
}

impl KnownFields for ReasonInput {
    const FIELDS: &'static [&'static str] = &["reason"];
}

/// Close an open lead as not worth pursuing, with a reason; 409 unless open.
#[utoipa::path(post, path = "/api/v1/leads/{id}/disqualify", tag = "crm", request_body = ReasonInput, params(("id" = i64, Path)),
    responses((status = 200, body = LeadWithDetail), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])))]
pub async fn disqualify(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    IdPath(id): IdPath,
    ApiJson(input): ApiJson<ReasonInput>,
) -> Response {
    let reason = input.reason.unwrap_or_default();
    match crm::disqualify(&state.app, &actor, id, &reason).await {
        Ok(()) => lead_response(&state, &actor, id, StatusCode::OK).await,
        Err(e) => problem(&e),
    }
}

/// What an import made.
#[derive(Debug, Serialize, ToSchema)]
pub struct LeadImportResult {
    /// The new leads' ids, in the file's order.
    pub created: Vec<i64>,
    /// How many of them look like a lead that was already there.
    pub possible_duplicates: usize,
}

/// Import leads from a CSV file (`Content-Type: text/csv`): a header row
/// naming `name` (required), `company`, `email`, `phone`, `notes`,
/// `campaign`. All rows or none: any bad row is a 422 whose errors name the
/// line, `line 3: email`.
#[utoipa::path(post, path = "/api/v1/leads/import", tag = "crm",
    request_body(content = String, content_type = "text/csv", description = "name,company,email,phone,notes,campaign"),
    params(("Idempotency-Key" = Option<String>, Header, description = "Repeat a request safely: the same key returns the first response")),
    responses((status = 201, body = LeadImportResult), (status = 403, body = Problem), (status = 415, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])))]
pub async fn import_leads(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let is_csv = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/csv"));
    if !is_csv {
        let mut p = Problem::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported-media-type",
            "Send text/csv",
            &crate::current_request_id(),
        );
        p.detail = Some("The Content-Type header must be text/csv.".to_owned());
        return p.into_response();
    }
    match crm::import_leads(&state.app, &actor, &body).await {
        Ok(report) => (
            StatusCode::CREATED,
            Json(LeadImportResult {
                created: report.created,
                possible_duplicates: report.possible_duplicates,
            }),
        )
            .into_response(),
        Err(e) => problem(&e),
    }
}

/// An opportunity: a deal in the pipeline.
#[derive(Debug, Serialize, ToSchema)]
pub struct Opportunity {
    pub id: i64,
    /// The customer.
    pub party_id: i64,
    pub party_name: String,
    /// The lead it was qualified from.
    pub lead_id: Option<i64>,
    pub title: String,
    /// `prospecting`, `qualification`, `proposal`, `negotiation`, `won` or `lost`.
    pub stage: String,
    /// The stage's chance of winning, in basis points (2500 = 25 %).
    pub probability_bp: i64,
    /// The expected value, a decimal string.
    pub amount: String,
    pub amount_minor: i64,
    pub currency: String,
    /// `YYYY-MM-DD`.
    pub expected_close: String,
    pub owner_user_id: i64,
    pub owner_name: String,
    /// Why it was lost; empty otherwise.
    pub lost_reason: String,
    /// The draft quote made when it was won.
    pub quote_id: Option<i64>,
    pub closed_at: Option<String>,
    /// Send this back with an update; a stale version is refused with 409.
    pub version: i64,
    pub created_at: String,
    pub updated_at: String,
}

impl From<&OpportunityRow> for Opportunity {
    fn from(r: &OpportunityRow) -> Opportunity {
        Opportunity {
            id: r.id,
            party_id: r.party_id,
            party_name: r.party_name.clone(),
            lead_id: r.lead_id,
            title: r.title.clone(),
            stage: r.stage.clone(),
            probability_bp: crm::stage_of(r).probability_bp(),
            amount: format_amount(r.amount_minor, &r.currency),
            amount_minor: r.amount_minor,
            currency: r.currency.clone(),
            expected_close: r.expected_close.clone(),
            owner_user_id: r.owner_user_id,
            owner_name: r.owner_name.clone(),
            lost_reason: r.lost_reason.clone(),
            quote_id: r.quote_id,
            closed_at: r.closed_at_us.map(rfc3339),
            version: r.version,
            created_at: rfc3339(r.created_at_us),
            updated_at: rfc3339(r.updated_at_us),
        }
    }
}

/// A product line of an opportunity.
#[derive(Debug, Serialize, ToSchema)]
pub struct OpportunityLine {
    pub position: i64,
    pub product_id: i64,
    pub sku: String,
    pub product_name: String,
    pub qty: i64,
}

impl From<&OpportunityLineRow> for OpportunityLine {
    fn from(l: &OpportunityLineRow) -> OpportunityLine {
        OpportunityLine {
            position: l.position,
            product_id: l.product_id,
            sku: l.sku.clone(),
            product_name: l.product_name.clone(),
            qty: l.qty,
        }
    }
}

/// An opportunity with its product lines and activities.
#[derive(Debug, Serialize, ToSchema)]
pub struct OpportunityWithDetail {
    #[serde(flatten)]
    pub opportunity: Opportunity,
    pub lines: Vec<OpportunityLine>,
    pub activities: Vec<Activity>,
}

impl From<&OpportunityDetail> for OpportunityWithDetail {
    fn from(d: &OpportunityDetail) -> OpportunityWithDetail {
        OpportunityWithDetail {
            opportunity: Opportunity::from(&d.opportunity),
            lines: d.lines.iter().map(OpportunityLine::from).collect(),
            activities: d.activities.iter().map(Activity::from).collect(),
        }
    }
}

async fn opportunity_response(
    state: &AppState,
    actor: &Actor,
    id: i64,
    status: StatusCode,
) -> Response {
    match crm::opportunity(&state.app, actor, id).await {
        Ok(d) => (status, Json(OpportunityWithDetail::from(&d))).into_response(),
        Err(e) => problem(&e),
    }
}

/// A page of opportunities, newest first.
#[derive(Debug, Serialize, ToSchema)]
pub struct OpportunityList {
    pub items: Vec<Opportunity>,
    /// Pass as `cursor` for the next page; absent on the last page.
    pub next_cursor: Option<String>,
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct OpportunityListParams {
    /// Only this stage.
    pub stage: Option<String>,
    /// `true` for the open stages only.
    #[param(value_type = Option<bool>)]
    pub open: Option<String>,
    /// Only this customer's.
    #[param(value_type = Option<i64>)]
    pub party_id: Option<String>,
    /// From `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

/// List opportunities, newest first, a page at a time.
#[utoipa::path(get, path = "/api/v1/opportunities", tag = "crm", params(OpportunityListParams),
    responses((status = 200, body = OpportunityList), (status = 403, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])))]
pub async fn list_opportunities(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    Query(params): Query<OpportunityListParams>,
) -> Response {
    let mut errors = FieldErrors::new();
    let stage = match params.stage.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(s) => Stage::parse(s).or_else(|| {
            errors.add("stage", "error-choice");
            None
        }),
    };
    let open = match params.open.as_deref().map(str::trim) {
        None | Some("") | Some("false") => false,
        Some("true") => true,
        Some(_) => {
            errors.add("open", "error-json-type");
            false
        }
    };
    let party_id = match params.party_id.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(p) => p.parse::<i64>().ok().or_else(|| {
            errors.add("party_id", "error-json-type");
            None
        }),
    };
    let before = cursor(params.cursor.as_deref(), &mut errors);
    if !errors.is_empty() {
        return invalid(&errors);
    }
    let filter = OpportunityFilter {
        stage: stage.map(Stage::name),
        open,
        party_id,
        owner_user_id: None,
        lead_id: None,
    };
    match crm::list_opportunities(&state.app, &actor, filter, before).await {
        Ok(rows) => Json(OpportunityList {
            next_cursor: next_cursor(rows.iter().map(|r| r.id), rows.len()),
            items: rows.iter().map(Opportunity::from).collect(),
        })
        .into_response(),
        Err(e) => problem(&e),
    }
}

/// An opportunity's fields.
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct OpportunityInput {
    /// The customer.
    pub party_id: Option<i64>,
    pub title: Option<String>,
    /// The expected value, a decimal string (`12000.00`).
    pub amount: Option<String>,
    /// Three letters (`EUR`).
    pub currency: Option<String>,
    /// `YYYY-MM-DD`.
    pub expected_close: Option<String>,
    /// The salesperson; the token's user when absent.
    pub owner_user_id: Option<i64>,
    /// Errors name lines by position from 0: `lines[0].qty`. An update replaces them all.
    pub lines: Option<Vec<OpportunityLineInput>>,
    /// Required on update: the `version` the change was based on.
    pub version: Option<i64>,
}

impl KnownFields for OpportunityInput {
    const FIELDS: &'static [&'static str] = &[
        "party_id",
        "title",
        "amount",
        "currency",
        "expected_close",
        "owner_user_id",
        "lines",
        "version",
    ];
}

impl OpportunityInput {
    fn draft(self, actor: &Actor) -> (OpportunityDraft, Vec<LineDraft>) {
        let draft = OpportunityDraft {
            party_id: self.party_id,
            title: self.title.unwrap_or_default(),
            amount: self.amount.unwrap_or_default(),
            currency: self.currency.unwrap_or_default(),
            expected_close: self.expected_close.unwrap_or_default(),
            owner_user_id: self.owner_user_id.or(actor.user_id.map(|u| u.0)),
        };
        (draft, line_drafts(self.lines))
    }
}

/// Open an opportunity for a customer, in the first stage. Send
/// `Idempotency-Key` to make retries safe.
#[utoipa::path(post, path = "/api/v1/opportunities", tag = "crm", request_body = OpportunityInput,
    params(("Idempotency-Key" = Option<String>, Header, description = "Repeat a request safely: the same key returns the first response")),
    responses((status = 201, body = OpportunityWithDetail), (status = 403, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])))]
pub async fn create_opportunity(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    ApiJson(input): ApiJson<OpportunityInput>,
) -> Response {
    if input.version.is_some() {
        return invalid(&FieldErrors::one("version", "error-unknown-field"));
    }
    let (draft, lines) = input.draft(&actor);
    match crm::create_opportunity(&state.app, &actor, &draft, &lines).await {
        Ok(id) => opportunity_response(&state, &actor, id, StatusCode::CREATED).await,
        Err(e) => problem(&e),
    }
}

/// One opportunity with its product lines and activities.
#[utoipa::path(get, path = "/api/v1/opportunities/{id}", tag = "crm", params(("id" = i64, Path)),
    responses((status = 200, body = OpportunityWithDetail), (status = 403, body = Problem), (status = 404, body = Problem)),
    security(("bearer" = [])))]
pub async fn opportunity(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    IdPath(id): IdPath,
) -> Response {
    opportunity_response(&state, &actor, id, StatusCode::OK).await
}

/// Replace an open opportunity's fields and lines. `version` must be the one read; otherwise 409.
#[utoipa::path(put, path = "/api/v1/opportunities/{id}", tag = "crm", request_body = OpportunityInput, params(("id" = i64, Path)),
    responses((status = 200, body = OpportunityWithDetail), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])))]
pub async fn update_opportunity(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    IdPath(id): IdPath,
    ApiJson(input): ApiJson<OpportunityInput>,
) -> Response {
    let Some(version) = input.version else {
        return invalid(&FieldErrors::one("version", "error-required"));
    };
    let (draft, lines) = input.draft(&actor);
    match crm::update_opportunity(&state.app, &actor, id, version, &draft, &lines).await {
        Ok(()) => opportunity_response(&state, &actor, id, StatusCode::OK).await,
        Err(e) => problem(&e),
    }
}

/// The stage to move to.
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct StageInput {
    /// `prospecting`, `qualification`, `proposal` or `negotiation` (win and lose have their own calls).
    pub stage: Option<String>,
}

impl KnownFields for StageInput {
    const FIELDS: &'static [&'static str] = &["stage"];
}

/// Move an open opportunity to another open stage; 409 when it is won or
/// lost or the stage is `won` or `lost`.
#[utoipa::path(post, path = "/api/v1/opportunities/{id}/stage", tag = "crm", request_body = StageInput, params(("id" = i64, Path)),
    responses((status = 200, body = OpportunityWithDetail), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])))]
pub async fn move_stage(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    IdPath(id): IdPath,
    ApiJson(input): ApiJson<StageInput>,
) -> Response {
    let Some(stage) = Stage::parse(input.stage.as_deref().unwrap_or("").trim()) else {
        return invalid(&FieldErrors::one("stage", "error-choice"));
    };
    match crm::move_stage(&state.app, &actor, id, stage).await {
        Ok(()) => opportunity_response(&state, &actor, id, StatusCode::OK).await,
        Err(e) => problem(&e),
    }
}

/// A won opportunity and the quote made from it.
#[derive(Debug, Serialize, ToSchema)]
pub struct WinResult {
    /// The draft quote with the opportunity's lines; `null` when it had none.
    pub quote_id: Option<i64>,
    pub opportunity: OpportunityWithDetail,
}

/// Win an open opportunity: with product lines, a draft quote for the
/// customer is made in the same transaction (needs `sales.order.write`).
/// 409 when already closed.
#[utoipa::path(post, path = "/api/v1/opportunities/{id}/win", tag = "crm", params(("id" = i64, Path)),
    responses((status = 200, body = WinResult), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])))]
pub async fn win(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    IdPath(id): IdPath,
) -> Response {
    let quote = match crm::win(&state.app, &actor, id).await {
        Ok(q) => q,
        Err(e) => return problem(&e),
    };
    match crm::opportunity(&state.app, &actor, id).await {
        Ok(d) => Json(WinResult {
            quote_id: quote.map(|q| q.0),
            opportunity: OpportunityWithDetail::from(&d),
        })
        .into_response(),
        Err(e) => problem(&e),
    }
}

/// Lose an open opportunity, with a reason; 409 when already closed.
#[utoipa::path(post, path = "/api/v1/opportunities/{id}/lose", tag = "crm", request_body = ReasonInput, params(("id" = i64, Path)),
    responses((status = 200, body = OpportunityWithDetail), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])))]
pub async fn lose(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    IdPath(id): IdPath,
    ApiJson(input): ApiJson<ReasonInput>,
) -> Response {
    let reason = input.reason.unwrap_or_default();
    match crm::lose(&state.app, &actor, id, &reason).await {
        Ok(()) => opportunity_response(&state, &actor, id, StatusCode::OK).await,
        Err(e) => problem(&renamed(e, &[("lost_reason", "reason")])),
    }
}

/// One row of the forecast: a month of expected close, a salesperson and a currency.
#[derive(Debug, Serialize, ToSchema)]
pub struct ForecastRow {
    /// `YYYY-MM`.
    pub month: String,
    /// The salesperson's name.
    pub owner: String,
    pub currency: String,
    /// How many open opportunities.
    pub count: i64,
    /// Their amounts, unweighted.
    pub pipeline: String,
    pub pipeline_minor: i64,
    /// Each amount times its stage's probability, rounded per opportunity, summed.
    pub weighted: String,
    pub weighted_minor: i64,
}

/// The weighted forecast.
#[derive(Debug, Serialize, ToSchema)]
pub struct Forecast {
    /// By month, salesperson and currency; amounts in different currencies are never added up.
    pub rows: Vec<ForecastRow>,
}

/// The weighted forecast of the open opportunities.
#[utoipa::path(get, path = "/api/v1/crm/forecast", tag = "crm",
    responses((status = 200, body = Forecast), (status = 403, body = Problem)), security(("bearer" = [])))]
pub async fn forecast(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
) -> Response {
    match crm::forecast(&state.app, &actor).await {
        Ok(rows) => Json(Forecast {
            rows: rows
                .into_iter()
                .map(|r| ForecastRow {
                    pipeline: format_amount(r.cell.pipeline_minor, &r.currency),
                    pipeline_minor: r.cell.pipeline_minor,
                    weighted: format_amount(r.cell.weighted_minor, &r.currency),
                    weighted_minor: r.cell.weighted_minor,
                    count: r.cell.count,
                    month: r.month,
                    owner: r.owner,
                    currency: r.currency,
                })
                .collect(),
        })
        .into_response(),
        Err(e) => problem(&e),
    }
}

/// One column of the pipeline board.
#[derive(Debug, Serialize, ToSchema)]
pub struct BoardColumn {
    pub stage: String,
    pub probability_bp: i64,
    /// Newest first; at most 200.
    pub cards: Vec<Opportunity>,
}

/// The pipeline board.
#[derive(Debug, Serialize, ToSchema)]
pub struct Board {
    /// The open stages in order.
    pub columns: Vec<BoardColumn>,
}

/// The open opportunities by stage.
#[utoipa::path(get, path = "/api/v1/crm/board", tag = "crm",
    responses((status = 200, body = Board), (status = 403, body = Problem)), security(("bearer" = [])))]
pub async fn board(State(state): State<AppState>, CurrentActor(actor): CurrentActor) -> Response {
    match crm::board(&state.app, &actor).await {
        Ok(columns) => Json(Board {
            columns: columns
                .iter()
                .map(|c| BoardColumn {
                    stage: c.stage.name().to_owned(),
                    probability_bp: c.stage.probability_bp(),
                    cards: c.cards.iter().map(Opportunity::from).collect(),
                })
                .collect(),
        })
        .into_response(),
        Err(e) => problem(&e),
    }
}

/// A call, meeting, task or note about a lead, an opportunity or a party.
#[derive(Debug, Serialize, ToSchema)]
pub struct Activity {
    pub id: i64,
    /// `call`, `meeting`, `task` or `note`.
    pub kind: String,
    pub subject: String,
    pub body: String,
    /// `YYYY-MM-DD`.
    pub due_date: Option<String>,
    pub done_at: Option<String>,
    pub owner_user_id: i64,
    pub owner_name: String,
    pub lead_id: Option<i64>,
    pub opportunity_id: Option<i64>,
    pub party_id: Option<i64>,
    pub created_at: String,
}

impl From<&ActivityRow> for Activity {
    fn from(a: &ActivityRow) -> Activity {
        Activity {
            id: a.id,
            kind: a.kind.clone(),
            subject: a.subject.clone(),
            body: a.body.clone(),
            due_date: a.due_date.clone(),
            done_at: a.done_at_us.map(rfc3339),
            owner_user_id: a.owner_user_id,
            owner_name: a.owner_name.clone(),
            lead_id: a.lead_id,
            opportunity_id: a.opportunity_id,
            party_id: a.party_id,
            created_at: rfc3339(a.created_at_us),
        }
    }
}

/// A new activity; exactly one of `lead_id`, `opportunity_id` and `party_id`.
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct ActivityInput {
    /// `call`, `meeting`, `task` or `note`.
    pub kind: Option<String>,
    /// Colleagues named as `@username` here or in the body are notified.
    pub subject: Option<String>,
    pub body: Option<String>,
    /// `YYYY-MM-DD`; the owner is reminded on that day.
    pub due_date: Option<String>,
    /// Whose it is; the token's user when absent.
    pub owner_user_id: Option<i64>,
    pub lead_id: Option<i64>,
    pub opportunity_id: Option<i64>,
    pub party_id: Option<i64>,
}

impl KnownFields for ActivityInput {
    const FIELDS: &'static [&'static str] = &[
        "kind",
        "subject",
        "body",
        "due_date",
        "owner_user_id",
        "lead_id",
        "opportunity_id",
        "party_id",
    ];
}

async fn activity_response(
    state: &AppState,
    actor: &Actor,
    id: i64,
    status: StatusCode,
) -> Response {
    match crm::activity(&state.app, actor, id).await {
        Ok(a) => (status, Json(Activity::from(&a))).into_response(),
        Err(e) => problem(&e),
    }
}

/// Log an activity. A record that does not exist is named as `record`.
/// Send `Idempotency-Key` to make retries safe.
#[utoipa::path(post, path = "/api/v1/activities", tag = "crm", request_body = ActivityInput,
    params(("Idempotency-Key" = Option<String>, Header, description = "Repeat a request safely: the same key returns the first response")),
    responses((status = 201, body = Activity), (status = 403, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])))]
pub async fn create_activity(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    ApiJson(input): ApiJson<ActivityInput>,
) -> Response {
    let draft = ActivityDraft {
        kind: input.kind.unwrap_or_default(),
        subject: input.subject.unwrap_or_default(),
        body: input.body.unwrap_or_default(),
        due_date: input.due_date.unwrap_or_default(),
        owner_user_id: input.owner_user_id.or(actor.user_id.map(|u| u.0)),
        lead_id: input.lead_id,
        opportunity_id: input.opportunity_id,
        party_id: input.party_id,
    };
    match crm::add_activity(&state.app, &actor, &draft).await {
        Ok(id) => activity_response(&state, &actor, id, StatusCode::CREATED).await,
        Err(e) => problem(&e),
    }
}

/// The caller's activities that are not done.
#[derive(Debug, Serialize, ToSchema)]
pub struct MyActivities {
    /// Due before today.
    pub overdue: Vec<Activity>,
    /// All of them, by due date.
    pub open: Vec<Activity>,
}

/// The token user's open activities, and those of them that are overdue.
#[utoipa::path(get, path = "/api/v1/activities", tag = "crm",
    responses((status = 200, body = MyActivities), (status = 403, body = Problem)), security(("bearer" = [])))]
pub async fn my_activities(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
) -> Response {
    match crm::my_activities(&state.app, &actor).await {
        Ok(m) => Json(MyActivities {
            overdue: m.overdue.iter().map(Activity::from).collect(),
            open: m.open.iter().map(Activity::from).collect(),
        })
        .into_response(),
        Err(e) => problem(&e),
    }
}

/// Mark an activity done; 409 when it already is.
#[utoipa::path(post, path = "/api/v1/activities/{id}/done", tag = "crm", params(("id" = i64, Path)),
    responses((status = 200, body = Activity), (status = 404, body = Problem), (status = 409, body = Problem)),
    security(("bearer" = [])))]
pub async fn complete_activity(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    IdPath(id): IdPath,
) -> Response {
    match crm::complete_activity(&state.app, &actor, id).await {
        Ok(()) => activity_response(&state, &actor, id, StatusCode::OK).await,
        Err(e) => problem(&e),
    }
}
