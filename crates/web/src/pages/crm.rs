//! The CRM's pages: leads (list, new, import, one lead with its duplicates,
//! merge, qualify and disqualify), the pipeline board whose cards move with
//! htmx (or a plain form post), an opportunity (win, lose), the forecast,
//! the user's activities, and the public lead form.

use std::net::SocketAddr;

use askama::Template;
use axum::extract::{ConnectInfo, Multipart, Query, State};
use axum::http::{Extensions, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use seam_app::crm::{
    self, ActivityRow, FormOutcome, LeadRow, LineDraft, OpportunityLineRow, OpportunityRow,
    QualifyInput, WebFormLead,
};
use seam_app::reception::HostRow;
use seam_app::{Actor, AppError};
use seam_domain::access::Permission;
use seam_domain::crm::{ActivityDraft, LeadDraft, LeadSource, LeadState, OpportunityDraft, Stage};
use seam_domain::ids::PartyId;
use seam_domain::ledger::format_amount;
use serde::Deserialize;

use super::parties::{CompanyOption, company_options};
use super::{FormData, IdPath};
use crate::AppState;
use crate::html::{Errors, Page, fail, locale_for, ok, redirect_with_flash, render};
use crate::i18n::I18n;
use crate::who::{CurrentActor, Requester, Who};

/// A lead ready to show.
pub struct LeadView {
    pub id: i64,
    pub name: String,
    pub company: String,
    pub email: String,
    pub phone: String,
    pub source: String,
    pub state: String,
    pub state_label: String,
    pub campaign: String,
    pub notes: String,
    pub owner: String,
    pub party_id: Option<i64>,
    pub party_name: String,
    pub merged_into_id: Option<i64>,
    pub created_at: String,
    pub open: bool,
    pub version: i64,
}

impl LeadView {
    fn new(i18n: &I18n, time_zone: &str, row: &LeadRow) -> LeadView {
        LeadView {
            id: row.id,
            name: row.name.clone(),
            company: row.company.clone(),
            email: row.email.clone().unwrap_or_default(),
            phone: row.phone.clone().unwrap_or_default(),
            source: i18n.t(&format!("lead-source-{}", row.source.replace('_', "-"))),
            state: row.state.clone(),
            state_label: i18n.t(&format!("lead-state-{}", row.state)),
            campaign: row.campaign.clone(),
            notes: row.notes.clone(),
            owner: row.owner_name.clone().unwrap_or_default(),
            party_id: row.party_id,
            party_name: row.party_name.clone().unwrap_or_default(),
            merged_into_id: row.merged_into_id,
            created_at: i18n.timestamp(&row.created_at_us, time_zone),
            open: row.state == "open",
            version: row.version,
        }
    }
}

/// An opportunity ready to show.
pub struct OpportunityView {
    pub id: i64,
    pub title: String,
    pub party_id: i64,
    pub party_name: String,
    pub stage: String,
    pub stage_label: String,
    pub probability: String,
    pub amount: String,
    pub weighted: String,
    pub expected_close: String,
    pub owner: String,
    pub lost_reason: String,
    pub quote_id: Option<i64>,
    pub open: bool,
    pub back: Option<String>,
    pub forward: Option<String>,
}

impl OpportunityView {
    fn new(i18n: &I18n, row: &OpportunityRow) -> OpportunityView {
        let stage = crm::stage_of(row);
        let weighted = seam_domain::crm::weighted_minor(row.amount_minor, stage.probability_bp());
        OpportunityView {
            id: row.id,
            title: row.title.clone(),
            party_id: row.party_id,
            party_name: row.party_name.clone(),
            stage: row.stage.clone(),
            stage_label: i18n.t(&format!("stage-{}", row.stage)),
            probability: format!("{} %", stage.probability_bp() / 100),
            amount: i18n.money(row.amount_minor, &row.currency),
            weighted: i18n.money(weighted, &row.currency),
            expected_close: row.expected_close.clone(),
            owner: row.owner_name.clone(),
            lost_reason: row.lost_reason.clone(),
            quote_id: row.quote_id,
            open: stage.is_open(),
            back: stage.neighbour(false).map(|s| s.name().to_owned()),
            forward: stage.neighbour(true).map(|s| s.name().to_owned()),
        }
    }
}

/// An activity ready to show.
pub struct ActivityView {
    pub id: i64,
    pub kind: String,
    pub subject: String,
    pub body: String,
    pub due_date: String,
    pub done: bool,
    pub overdue: bool,
    pub owner: String,
    pub link: String,
}

impl ActivityView {
    fn new(i18n: &I18n, today: &str, row: &ActivityRow) -> ActivityView {
        let due = row.due_date.clone().unwrap_or_default();
        ActivityView {
            id: row.id,
            kind: i18n.t(&format!("activity-kind-{}", row.kind)),
            subject: row.subject.clone(),
            body: row.body.clone(),
            overdue: row.done_at_us.is_none() && !due.is_empty() && due.as_str() < today,
            due_date: due,
            done: row.done_at_us.is_some(),
            owner: row.owner_name.clone(),
            link: crm::activity_link(row),
        }
    }
}

fn views(i18n: &I18n, rows: &[ActivityRow]) -> Vec<ActivityView> {
    let today = seam_app::today().iso();
    rows.iter()
        .map(|r| ActivityView::new(i18n, &today, r))
        .collect()
}

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

fn lead_draft(form: &FormData) -> LeadDraft {
    LeadDraft {
        name: form.get("name").to_owned(),
        company: form.get("company").to_owned(),
        email: form.get("email").to_owned(),
        phone: form.get("phone").to_owned(),
        notes: form.get("notes").to_owned(),
        campaign: form.get("campaign").to_owned(),
    }
}

#[derive(Template)]
#[template(path = "crm_leads.html")]
struct LeadsPage {
    page: Page,
    leads: Vec<LeadView>,
    text: String,
    state: String,
    states: Vec<(String, String)>,
    next_link: String,
    form: LeadDraft,
    errors: Errors,
}

#[derive(Debug, Default, Deserialize)]
pub struct LeadsQuery {
    #[serde(default)]
    pub q: String,
    #[serde(default)]
    pub state: String,
    #[serde(default)]
    pub cursor: String,
}

async fn leads_page(
    state: &AppState,
    who: &Who,
    actor: &Actor,
    query: &LeadsQuery,
    form: LeadDraft,
    errors: Errors,
    status: StatusCode,
) -> Response {
    let filter = LeadState::parse(&query.state);
    let before = query.cursor.parse::<i64>().ok();
    let rows = match crm::list_leads(&state.app, actor, filter, &query.q, before).await {
        Ok(rows) => rows,
        Err(e) => return fail(who, &e),
    };
    let page = Page::new(state, who, "crm-leads-title", "/crm").await;
    let next_link = match rows.last() {
        Some(last) if rows.len() as i64 == crm::PAGE_SIZE => format!(
            "/crm/leads?q={}&state={}&cursor={}",
            urlencoding(&query.q),
            query.state,
            last.id
        ),
        _ => String::new(),
    };
    let states = LeadState::ALL
        .iter()
        .map(|s| {
            (
                s.name().to_owned(),
                page.i18n.t(&format!("lead-state-{}", s.name())),
            )
        })
        .collect();
    render(
        status,
        &LeadsPage {
            leads: rows
                .iter()
                .map(|r| LeadView::new(&page.i18n, &page.time_zone, r))
                .collect(),
            text: query.q.clone(),
            state: query.state.clone(),
            states,
            next_link,
            form,
            errors,
            page,
        },
    )
}

fn urlencoding(text: &str) -> String {
    serde_urlencoded::to_string([("", text)])
        .unwrap_or_default()
        .trim_start_matches('=')
        .to_owned()
}

pub async fn leads(
    State(state): State<AppState>,
    Requester(who): Requester,
    CurrentActor(actor): CurrentActor,
    Query(query): Query<LeadsQuery>,
) -> Response {
    let form = LeadDraft::default();
    leads_page(
        &state,
        &who,
        &actor,
        &query,
        form,
        Errors::default(),
        StatusCode::OK,
    )
    .await
}

pub async fn create_lead(
    State(state): State<AppState>,
    Requester(who): Requester,
    CurrentActor(actor): CurrentActor,
    form: FormData,
) -> Response {
    let draft = lead_draft(&form);
    match crm::add_lead(&state.app, &actor, &draft, LeadSource::Manual).await {
        Ok(id) => {
            redirect_with_flash(
                &state,
                &who,
                &format!("/crm/leads/{id}"),
                "flash-lead-added",
            )
            .await
        }
        Err(e) => match form_errors(&I18n::new(actor.locale), &e) {
            Some((status, errors)) => {
                let query = LeadsQuery::default();
                leads_page(&state, &who, &actor, &query, draft, errors, status).await
            }
            None => fail(&who, &e),
        },
    }
}

/// One match beside a lead: another lead or a party, and why.
pub struct MatchView {
    pub id: i64,
    pub name: String,
    pub detail: String,
    pub reasons: String,
}

fn reasons_text(i18n: &I18n, reasons: &[seam_domain::crm::MatchReason]) -> String {
    reasons
        .iter()
        .map(|r| i18n.t(&format!("match-{}", r.name())))
        .collect::<Vec<_>>()
        .join(", ")
}

/// What the qualify form holds, kept as typed when it comes back with errors.
#[derive(Debug, Clone, Default)]
pub struct OpportunityForm {
    pub party_id: String,
    pub title: String,
    pub amount: String,
    pub currency: String,
    pub expected_close: String,
    pub owner_user_id: String,
    pub lines: Vec<LineDraft>,
}

/// How many product lines the opportunity forms offer.
const FORM_LINES: usize = 3;

impl OpportunityForm {
    fn from_form(form: &FormData) -> OpportunityForm {
        let products = form.all("product");
        let qtys = form.all("qty");
        OpportunityForm {
            party_id: form.get("party_id").to_owned(),
            title: form.get("title").to_owned(),
            amount: form.get("amount").to_owned(),
            currency: form.get("currency").to_owned(),
            expected_close: form.get("expected_close").to_owned(),
            owner_user_id: form.get("owner_user_id").to_owned(),
            lines: products
                .iter()
                .zip(qtys.iter().chain(std::iter::repeat(&"")))
                .map(|(p, q)| LineDraft {
                    product: (*p).to_owned(),
                    qty: (*q).to_owned(),
                })
                .collect(),
        }
    }

    fn for_actor(actor: &Actor) -> OpportunityForm {
        OpportunityForm {
            currency: "EUR".into(),
            owner_user_id: actor.user_id.map(|u| u.0.to_string()).unwrap_or_default(),
            ..OpportunityForm::default()
        }
    }

    fn draft(&self) -> OpportunityDraft {
        OpportunityDraft {
            party_id: self.party_id.trim().parse().ok(),
            title: self.title.clone(),
            amount: self.amount.clone(),
            currency: self.currency.clone(),
            expected_close: self.expected_close.clone(),
            owner_user_id: self.owner_user_id.trim().parse().ok(),
        }
    }

    /// The lines with blank rows up to [`FORM_LINES`], for the form.
    fn padded(mut self) -> OpportunityForm {
        while self.lines.len() < FORM_LINES {
            self.lines.push(LineDraft::default());
        }
        self
    }
}

#[derive(Template)]
#[template(path = "crm_lead.html")]
struct LeadPage {
    page: Page,
    lead: LeadView,
    duplicates: Vec<MatchView>,
    parties: Vec<MatchView>,
    activities: Vec<ActivityView>,
    opportunities: Vec<OpportunityView>,
    form: OpportunityForm,
    activity: ActivityForm,
    colleagues: Vec<HostRow>,
    may_sell: bool,
    errors: Errors,
}

async fn lead_page(
    state: &AppState,
    who: &Who,
    actor: &Actor,
    id: i64,
    form: Option<OpportunityForm>,
    errors: Errors,
    status: StatusCode,
) -> Response {
    let (detail, colleagues) = match tokio::try_join!(
        crm::lead_detail(&state.app, actor, id),
        crm::colleagues(&state.app, actor)
    ) {
        Ok(found) => found,
        Err(e) => return fail(who, &e),
    };
    let mut page = Page::new(state, who, "crm-lead-title", "/crm").await;
    page.title.clone_from(&detail.lead.name);
    let i18n = &page.i18n;
    let duplicates = detail
        .duplicates
        .iter()
        .map(|d| MatchView {
            id: d.record.id,
            name: d.record.name.clone(),
            detail: [
                d.record.company.as_str(),
                d.record.email.as_deref().unwrap_or(""),
            ]
            .into_iter()
            .filter(|s| !s.is_empty())
            .collect::<Vec<_>>()
            .join(" · "),
            reasons: reasons_text(i18n, &d.reasons),
        })
        .collect();
    let parties = detail
        .parties
        .iter()
        .map(|d| MatchView {
            id: d.record.id,
            name: d.record.name.clone(),
            detail: d.record.email.clone().unwrap_or_default(),
            reasons: reasons_text(i18n, &d.reasons),
        })
        .collect();
    let form = form
        .unwrap_or_else(|| OpportunityForm {
            title: if detail.lead.company.is_empty() {
                detail.lead.name.clone()
            } else {
                detail.lead.company.clone()
            },
            ..OpportunityForm::for_actor(actor)
        })
        .padded();
    render(
        status,
        &LeadPage {
            lead: LeadView::new(i18n, &page.time_zone, &detail.lead),
            duplicates,
            parties,
            activities: views(i18n, &detail.activities),
            opportunities: detail
                .opportunities
                .iter()
                .map(|o| OpportunityView::new(i18n, o))
                .collect(),
            form,
            activity: ActivityForm::blank(actor, "lead", id),
            colleagues,
            may_sell: actor.may(Permission::SalesUse) && actor.may(Permission::PartiesWrite),
            errors,
            page,
        },
    )
}

pub async fn lead(
    State(state): State<AppState>,
    Requester(who): Requester,
    CurrentActor(actor): CurrentActor,
    IdPath(id): IdPath,
) -> Response {
    lead_page(
        &state,
        &who,
        &actor,
        id,
        None,
        Errors::default(),
        StatusCode::OK,
    )
    .await
}

async fn after_lead_change(
    state: &AppState,
    who: &Who,
    actor: &Actor,
    id: i64,
    result: Result<String, AppError>,
    flash: &str,
    form: Option<OpportunityForm>,
) -> Response {
    match result {
        Ok(to) => redirect_with_flash(state, who, &to, flash).await,
        Err(e) => match form_errors(&I18n::new(actor.locale), &e) {
            Some((status, errors)) => lead_page(state, who, actor, id, form, errors, status).await,
            None => fail(who, &e),
        },
    }
}

/// Merges another lead (`other`) into this one.
pub async fn merge(
    State(state): State<AppState>,
    Requester(who): Requester,
    CurrentActor(actor): CurrentActor,
    IdPath(id): IdPath,
    form: FormData,
) -> Response {
    let result = match form.get("other").trim().parse::<i64>() {
        Ok(other) => crm::merge_leads(&state.app, &actor, id, other)
            .await
            .map(|()| format!("/crm/leads/{id}")),
        Err(_) => Err(AppError::Conflict("error-lead-state")),
    };
    after_lead_change(&state, &who, &actor, id, result, "flash-leads-merged", None).await
}

pub async fn qualify(
    State(state): State<AppState>,
    Requester(who): Requester,
    CurrentActor(actor): CurrentActor,
    IdPath(id): IdPath,
    form: FormData,
) -> Response {
    let typed = OpportunityForm::from_form(&form);
    let input = QualifyInput {
        existing_party: form.get("existing_party").trim().parse().ok().map(PartyId),
        opportunity: typed.draft(),
        lines: typed.lines.clone(),
    };
    let result = crm::qualify(&state.app, &actor, id, &input)
        .await
        .map(|q| format!("/crm/opportunities/{}", q.opportunity_id));
    after_lead_change(
        &state,
        &who,
        &actor,
        id,
        result,
        "flash-lead-qualified",
        Some(typed),
    )
    .await
}

pub async fn disqualify(
    State(state): State<AppState>,
    Requester(who): Requester,
    CurrentActor(actor): CurrentActor,
    IdPath(id): IdPath,
    form: FormData,
) -> Response {
    let result = crm::disqualify(&state.app, &actor, id, form.get("reason"))
        .await
        .map(|()| format!("/crm/leads/{id}"));
    after_lead_change(
        &state,
        &who,
        &actor,
        id,
        result,
        "flash-lead-disqualified",
        None,
    )
    .await
}

#[derive(Template)]
#[template(path = "crm_import.html")]
struct ImportPage {
    page: Page,
    errors: Errors,
}

pub async fn import_page(State(state): State<AppState>, Requester(who): Requester) -> Response {
    let page = Page::new(&state, &who, "crm-import-title", "/crm").await;
    ok(&ImportPage {
        page,
        errors: Errors::default(),
    })
}

/// Adds every lead of an uploaded CSV file, or none.
pub async fn import_submit(
    State(state): State<AppState>,
    Requester(who): Requester,
    CurrentActor(actor): CurrentActor,
    multipart: Multipart,
) -> Response {
    let page = Page::new(&state, &who, "crm-import-title", "/crm").await;
    let result = match super::parties::read_import(multipart).await {
        Ok((bytes, _)) => crm::import_leads(&state.app, &actor, &bytes).await,
        Err(code) => Err(AppError::Invalid(seam_domain::FieldErrors::one(
            "file", code,
        ))),
    };
    match result {
        Ok(report) => {
            let to = "/crm/leads?state=open";
            let flash = if report.possible_duplicates > 0 {
                "flash-leads-imported-duplicates"
            } else {
                "flash-leads-imported"
            };
            redirect_with_flash(&state, &who, to, flash).await
        }
        Err(e) => match form_errors(&page.i18n, &e) {
            Some((status, errors)) => render(status, &ImportPage { page, errors }),
            None => fail(&who, &e),
        },
    }
}

/// One column of the board, ready to show.
pub struct ColumnView {
    pub stage: String,
    pub label: String,
    pub probability: String,
    pub total: String,
    pub cards: Vec<OpportunityView>,
}

#[derive(Template)]
#[template(path = "crm_pipeline.html")]
struct PipelinePage {
    page: Page,
    columns: Vec<ColumnView>,
    errors: Errors,
}

#[derive(Template)]
#[template(path = "crm_board.html")]
struct BoardFragment {
    page: Page,
    columns: Vec<ColumnView>,
    errors: Errors,
}

async fn board_columns(
    state: &AppState,
    actor: &Actor,
    i18n: &I18n,
) -> Result<Vec<ColumnView>, AppError> {
    let board = crm::board(&state.app, actor).await?;
    Ok(board
        .iter()
        .map(|c| {
            let mut totals: std::collections::BTreeMap<&str, i64> = Default::default();
            for card in &c.cards {
                *totals.entry(card.currency.as_str()).or_default() += card.amount_minor;
            }
            ColumnView {
                stage: c.stage.name().to_owned(),
                label: i18n.t(&format!("stage-{}", c.stage.name())),
                probability: format!("{} %", c.stage.probability_bp() / 100),
                total: totals
                    .iter()
                    .map(|(cur, minor)| i18n.money(*minor, cur))
                    .collect::<Vec<_>>()
                    .join(" + "),
                cards: c
                    .cards
                    .iter()
                    .map(|o| OpportunityView::new(i18n, o))
                    .collect(),
            }
        })
        .collect())
}

async fn pipeline_response(
    state: &AppState,
    who: &Who,
    actor: &Actor,
    fragment: bool,
    errors: Errors,
    status: StatusCode,
) -> Response {
    let i18n = I18n::new(actor.locale);
    let columns = match board_columns(state, actor, &i18n).await {
        Ok(c) => c,
        Err(e) => return fail(who, &e),
    };
    let page = Page::new(state, who, "crm-pipeline-title", "/crm").await;
    if fragment {
        render(
            status,
            &BoardFragment {
                page,
                columns,
                errors,
            },
        )
    } else {
        render(
            status,
            &PipelinePage {
                page,
                columns,
                errors,
            },
        )
    }
}

pub async fn pipeline(
    State(state): State<AppState>,
    Requester(who): Requester,
    CurrentActor(actor): CurrentActor,
) -> Response {
    pipeline_response(
        &state,
        &who,
        &actor,
        false,
        Errors::default(),
        StatusCode::OK,
    )
    .await
}

/// Moves a card to another stage. From the board with htmx it answers the
/// board again; a plain post goes back where it came from.
pub async fn move_stage(
    State(state): State<AppState>,
    Requester(who): Requester,
    CurrentActor(actor): CurrentActor,
    IdPath(id): IdPath,
    headers: HeaderMap,
    form: FormData,
) -> Response {
    let htmx = headers.contains_key("hx-request");
    let result = match Stage::parse(form.get("stage").trim()) {
        Some(stage) => crm::move_stage(&state.app, &actor, id, stage).await,
        None => Err(AppError::Invalid(seam_domain::FieldErrors::one(
            "stage",
            "error-choice",
        ))),
    };
    let i18n = I18n::new(actor.locale);
    match result {
        Ok(()) if htmx => {
            pipeline_response(
                &state,
                &who,
                &actor,
                true,
                Errors::default(),
                StatusCode::OK,
            )
            .await
        }
        Ok(()) => {
            let to = if form.get("from") == "opportunity" {
                format!("/crm/opportunities/{id}")
            } else {
                "/crm/pipeline".to_owned()
            };
            redirect_with_flash(&state, &who, &to, "flash-stage-moved").await
        }
        Err(e) => match form_errors(&i18n, &e) {
            // htmx swaps only successful answers by default: the board comes back whole, with the message.
            Some((_, errors)) if htmx => {
                pipeline_response(&state, &who, &actor, true, errors, StatusCode::OK).await
            }
            Some((status, errors)) => {
                pipeline_response(&state, &who, &actor, false, errors, status).await
            }
            None => fail(&who, &e),
        },
    }
}

#[derive(Template)]
#[template(path = "crm_opportunity.html")]
struct OpportunityPage {
    page: Page,
    opportunity: OpportunityView,
    lines: Vec<OpportunityLineRow>,
    activities: Vec<ActivityView>,
    stages: Vec<(String, String)>,
    activity: ActivityForm,
    colleagues: Vec<HostRow>,
    errors: Errors,
}

/// The new-activity form under a record.
#[derive(Debug, Clone, Default)]
pub struct ActivityForm {
    pub kind: String,
    pub subject: String,
    pub body: String,
    pub due_date: String,
    pub owner_user_id: String,
    /// `lead`, `opportunity` or `party`, and its id.
    pub record: String,
    pub record_id: i64,
}

impl ActivityForm {
    pub(crate) fn blank(actor: &Actor, record: &str, record_id: i64) -> ActivityForm {
        ActivityForm {
            kind: "call".into(),
            owner_user_id: actor.user_id.map(|u| u.0.to_string()).unwrap_or_default(),
            record: record.into(),
            record_id,
            ..ActivityForm::default()
        }
    }
}

async fn opportunity_page(
    state: &AppState,
    who: &Who,
    actor: &Actor,
    id: i64,
    errors: Errors,
    status: StatusCode,
) -> Response {
    let (detail, colleagues) = match tokio::try_join!(
        crm::opportunity(&state.app, actor, id),
        crm::colleagues(&state.app, actor)
    ) {
        Ok(found) => found,
        Err(e) => return fail(who, &e),
    };
    let mut page = Page::new(state, who, "crm-opportunity-title", "/crm").await;
    page.title.clone_from(&detail.opportunity.title);
    let stages = Stage::OPEN
        .iter()
        .map(|s| {
            (
                s.name().to_owned(),
                page.i18n.t(&format!("stage-{}", s.name())),
            )
        })
        .collect();
    render(
        status,
        &OpportunityPage {
            opportunity: OpportunityView::new(&page.i18n, &detail.opportunity),
            lines: detail.lines,
            activities: views(&page.i18n, &detail.activities),
            stages,
            activity: ActivityForm::blank(actor, "opportunity", id),
            colleagues,
            errors,
            page,
        },
    )
}

pub async fn opportunity(
    State(state): State<AppState>,
    Requester(who): Requester,
    CurrentActor(actor): CurrentActor,
    IdPath(id): IdPath,
) -> Response {
    opportunity_page(&state, &who, &actor, id, Errors::default(), StatusCode::OK).await
}

/// Where a change of an opportunity goes on: to `to` with a flash, or back
/// to the opportunity's page showing why it was refused.
async fn after_opportunity_change(
    state: &AppState,
    who: &Who,
    actor: &Actor,
    id: i64,
    result: Result<(String, &str), AppError>,
) -> Response {
    match result {
        Ok((to, flash)) => redirect_with_flash(state, who, &to, flash).await,
        Err(e) => match form_errors(&I18n::new(actor.locale), &e) {
            Some((status, errors)) => opportunity_page(state, who, actor, id, errors, status).await,
            None => fail(who, &e),
        },
    }
}

/// Wins the opportunity and opens the draft quote made from it.
pub async fn win(
    State(state): State<AppState>,
    Requester(who): Requester,
    CurrentActor(actor): CurrentActor,
    IdPath(id): IdPath,
) -> Response {
    let result = crm::win(&state.app, &actor, id)
        .await
        .map(|quote| match quote {
            Some(quote) => (
                format!("/sales/quotes/{}", quote.0),
                "flash-opportunity-won-quote",
            ),
            None => (format!("/crm/opportunities/{id}"), "flash-opportunity-won"),
        });
    after_opportunity_change(&state, &who, &actor, id, result).await
}

pub async fn lose(
    State(state): State<AppState>,
    Requester(who): Requester,
    CurrentActor(actor): CurrentActor,
    IdPath(id): IdPath,
    form: FormData,
) -> Response {
    let result = crm::lose(&state.app, &actor, id, form.get("lost_reason"))
        .await
        .map(|()| (format!("/crm/opportunities/{id}"), "flash-opportunity-lost"));
    after_opportunity_change(&state, &who, &actor, id, result).await
}

#[derive(Template)]
#[template(path = "crm_opportunity_new.html")]
struct NewOpportunityPage {
    page: Page,
    form: OpportunityForm,
    companies: Vec<CompanyOption>,
    colleagues: Vec<HostRow>,
    errors: Errors,
}

#[derive(Debug, Default, Deserialize)]
pub struct NewOpportunityQuery {
    #[serde(default)]
    pub party: String,
}

async fn new_opportunity_page(
    state: &AppState,
    who: &Who,
    actor: &Actor,
    form: OpportunityForm,
    errors: Errors,
    status: StatusCode,
) -> Response {
    let colleagues = match crm::colleagues(&state.app, actor).await {
        Ok(c) => c,
        Err(e) => return fail(who, &e),
    };
    let companies = if actor.may(Permission::PartiesRead) {
        company_options(state, actor).await
    } else {
        Vec::new()
    };
    let page = Page::new(state, who, "crm-opportunity-new-title", "/crm").await;
    render(
        status,
        &NewOpportunityPage {
            form: form.padded(),
            companies,
            colleagues,
            errors,
            page,
        },
    )
}

pub async fn new_opportunity(
    State(state): State<AppState>,
    Requester(who): Requester,
    CurrentActor(actor): CurrentActor,
    Query(query): Query<NewOpportunityQuery>,
) -> Response {
    let form = OpportunityForm {
        party_id: query.party,
        ..OpportunityForm::for_actor(&actor)
    };
    new_opportunity_page(
        &state,
        &who,
        &actor,
        form,
        Errors::default(),
        StatusCode::OK,
    )
    .await
}

pub async fn create_opportunity(
    State(state): State<AppState>,
    Requester(who): Requester,
    CurrentActor(actor): CurrentActor,
    form: FormData,
) -> Response {
    let typed = OpportunityForm::from_form(&form);
    match crm::create_opportunity(&state.app, &actor, &typed.draft(), &typed.lines).await {
        Ok(id) => {
            redirect_with_flash(
                &state,
                &who,
                &format!("/crm/opportunities/{id}"),
                "flash-opportunity-added",
            )
            .await
        }
        Err(e) => match form_errors(&I18n::new(actor.locale), &e) {
            Some((status, errors)) => {
                new_opportunity_page(&state, &who, &actor, typed, errors, status).await
            }
            None => fail(&who, &e),
        },
    }
}

/// One row of the forecast, ready to show.
pub struct ForecastView {
    pub month: String,
    pub owner: String,
    pub count: i64,
    pub pipeline: String,
    pub weighted: String,
}

#[derive(Template)]
#[template(path = "crm_forecast.html")]
struct ForecastPage {
    page: Page,
    rows: Vec<ForecastView>,
}

pub async fn forecast(
    State(state): State<AppState>,
    Requester(who): Requester,
    CurrentActor(actor): CurrentActor,
) -> Response {
    let rows = match crm::forecast(&state.app, &actor).await {
        Ok(rows) => rows,
        Err(e) => return fail(&who, &e),
    };
    let page = Page::new(&state, &who, "crm-forecast-title", "/crm").await;
    ok(&ForecastPage {
        rows: rows
            .iter()
            .map(|r| ForecastView {
                month: r.month.clone(),
                owner: r.owner.clone(),
                count: r.cell.count,
                pipeline: page.i18n.money(r.cell.pipeline_minor, &r.currency),
                weighted: page.i18n.money(r.cell.weighted_minor, &r.currency),
            })
            .collect(),
        page,
    })
}

/// The forecast as CSV, amounts as plain decimals.
pub async fn forecast_csv(
    Requester(who): Requester,
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
) -> Response {
    let rows = match crm::forecast(&state.app, &actor).await {
        Ok(rows) => rows,
        Err(e) => return fail(&who, &e),
    };
    let mut out = csv::Writer::from_writer(Vec::new());
    let _ = out.write_record([
        "month", "owner", "currency", "count", "pipeline", "weighted",
    ]);
    for r in &rows {
        let _ = out.write_record([
            r.month.clone(),
            r.owner.clone(),
            r.currency.clone(),
            r.cell.count.to_string(),
            format_amount(r.cell.pipeline_minor, &r.currency),
            format_amount(r.cell.weighted_minor, &r.currency),
        ]);
    }
    let body = out.into_inner().unwrap_or_default();
    (
        [
            (axum::http::header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (
                axum::http::header::CONTENT_DISPOSITION,
                "attachment; filename=\"forecast.csv\"",
            ),
        ],
        body,
    )
        .into_response()
}

#[derive(Template)]
#[template(path = "crm_activities.html")]
struct ActivitiesPage {
    page: Page,
    overdue: Vec<ActivityView>,
    open: Vec<ActivityView>,
}

pub async fn activities(
    State(state): State<AppState>,
    Requester(who): Requester,
    CurrentActor(actor): CurrentActor,
) -> Response {
    let mine = match crm::my_activities(&state.app, &actor).await {
        Ok(m) => m,
        Err(e) => return fail(&who, &e),
    };
    let page = Page::new(&state, &who, "crm-activities-title", "/crm").await;
    ok(&ActivitiesPage {
        overdue: views(&page.i18n, &mine.overdue),
        open: views(&page.i18n, &mine.open),
        page,
    })
}

/// Logs an activity on the record the form names, and goes back to it.
pub async fn create_activity(
    State(state): State<AppState>,
    Requester(who): Requester,
    CurrentActor(actor): CurrentActor,
    form: FormData,
) -> Response {
    let record_id = form.get("record_id").trim().parse::<i64>().ok();
    let record = form.get("record");
    let draft = ActivityDraft {
        kind: form.get("kind").to_owned(),
        subject: form.get("subject").to_owned(),
        body: form.get("body").to_owned(),
        due_date: form.get("due_date").to_owned(),
        owner_user_id: form.get("owner_user_id").trim().parse().ok(),
        lead_id: record_id.filter(|_| record == "lead"),
        opportunity_id: record_id.filter(|_| record == "opportunity"),
        party_id: record_id.filter(|_| record == "party"),
    };
    let back = match (record, record_id) {
        ("lead", Some(id)) => format!("/crm/leads/{id}"),
        ("opportunity", Some(id)) => format!("/crm/opportunities/{id}"),
        ("party", Some(id)) => format!("/parties/{id}"),
        _ => "/crm/activities".to_owned(),
    };
    match crm::add_activity(&state.app, &actor, &draft).await {
        Ok(_) => redirect_with_flash(&state, &who, &back, "flash-activity-added").await,
        Err(e) => match (&e, record, record_id) {
            (AppError::Invalid(_) | AppError::Conflict(_), "lead", Some(id)) => {
                let (status, errors) =
                    form_errors(&I18n::new(actor.locale), &e).unwrap_or_default();
                lead_page(&state, &who, &actor, id, None, errors, status).await
            }
            (AppError::Invalid(_) | AppError::Conflict(_), "opportunity", Some(id)) => {
                let (status, errors) =
                    form_errors(&I18n::new(actor.locale), &e).unwrap_or_default();
                opportunity_page(&state, &who, &actor, id, errors, status).await
            }
            _ => fail(&who, &e),
        },
    }
}

pub async fn complete_activity(
    State(state): State<AppState>,
    Requester(who): Requester,
    CurrentActor(actor): CurrentActor,
    IdPath(id): IdPath,
    form: FormData,
) -> Response {
    let back = match form.get("back") {
        b if b.starts_with('/') && !b.starts_with("//") => b.to_owned(),
        _ => "/crm/activities".to_owned(),
    };
    match crm::complete_activity(&state.app, &actor, id).await {
        Ok(()) | Err(AppError::Conflict(_)) => {
            redirect_with_flash(&state, &who, &back, "flash-activity-done").await
        }
        Err(e) => fail(&who, &e),
    }
}

#[derive(Template)]
#[template(path = "lead_form.html")]
struct LeadFormPage {
    page: Page,
    form: LeadDraft,
    errors: Errors,
    thanks: bool,
}

/// The public "contact us" form: no login.
pub async fn web_form(
    Requester(who): Requester,
    headers: HeaderMap,
    Query(query): Query<CampaignQuery>,
) -> Response {
    let i18n = I18n::new(locale_for(&who, &headers));
    ok(&LeadFormPage {
        page: Page::anonymous(i18n, "lead-form-title"),
        form: LeadDraft {
            campaign: query.utm_campaign,
            ..LeadDraft::default()
        },
        errors: Errors::default(),
        thanks: false,
    })
}

#[derive(Debug, Default, Deserialize)]
pub struct CampaignQuery {
    #[serde(default)]
    pub utm_campaign: String,
}

/// The sender's address: the peer, or the first `X-Forwarded-For` entry
/// when the peer is a proxy on this host or the private network.
fn client_ip(extensions: &Extensions, headers: &HeaderMap) -> String {
    let peer = extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(addr)| addr.ip());
    let proxied = peer.is_none_or(|ip| match ip {
        std::net::IpAddr::V4(v4) => v4.is_loopback() || v4.is_private(),
        std::net::IpAddr::V6(v6) => v6.is_loopback(),
    });
    let forwarded = headers
        .get("x-forwarded-for")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(',').next())
        .map(|v| v.trim().to_owned())
        .filter(|v| !v.is_empty());
    match (proxied, forwarded, peer) {
        (true, Some(forwarded), _) => forwarded,
        (_, _, Some(ip)) => ip.to_string(),
        _ => "unknown".to_owned(),
    }
}

pub async fn web_form_submit(
    State(state): State<AppState>,
    Requester(who): Requester,
    extensions: Extensions,
    headers: HeaderMap,
    form: FormData,
) -> Response {
    let i18n = I18n::new(locale_for(&who, &headers));
    let submission = WebFormLead {
        lead: lead_draft(&form),
        honeypot: form.get("website").to_owned(),
        client_ip: client_ip(&extensions, &headers),
    };
    match crm::submit_web_form(&state.app, &submission).await {
        Ok(FormOutcome::Received(_) | FormOutcome::Ignored) => ok(&LeadFormPage {
            page: Page::anonymous(i18n, "lead-form-title"),
            form: LeadDraft::default(),
            errors: Errors::default(),
            thanks: true,
        }),
        Err(e) => {
            let (status, errors) = match form_errors(&i18n, &e) {
                Some((StatusCode::CONFLICT, errors)) => (StatusCode::TOO_MANY_REQUESTS, errors),
                Some(found) => found,
                None => return fail(&who, &e),
            };
            render(
                status,
                &LeadFormPage {
                    page: Page::anonymous(i18n, "lead-form-title"),
                    form: submission.lead,
                    errors,
                    thanks: false,
                },
            )
        }
    }
}

/// The party page's CRM sections: its opportunities (for sales), its
/// activities and the colleagues an activity may be given to (for CRM users).
pub(crate) async fn party_sections(
    state: &AppState,
    actor: &Actor,
    i18n: &I18n,
    party: i64,
) -> Result<
    (
        Option<Vec<OpportunityView>>,
        Option<Vec<ActivityView>>,
        Vec<HostRow>,
    ),
    AppError,
> {
    let opportunities = if actor.may(Permission::SalesUse) {
        let filter = crm::OpportunityFilter {
            party_id: Some(party),
            ..crm::OpportunityFilter::default()
        };
        let rows = crm::list_opportunities(&state.app, actor, filter, None).await?;
        Some(rows.iter().map(|o| OpportunityView::new(i18n, o)).collect())
    } else {
        None
    };
    if !actor.may(Permission::CrmUse) {
        return Ok((opportunities, None, Vec::new()));
    }
    let rows = crm::party_activities(&state.app, actor, PartyId(party)).await?;
    let colleagues = crm::colleagues(&state.app, actor).await?;
    Ok((opportunities, Some(views(i18n, &rows)), colleagues))
}
