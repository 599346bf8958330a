//! IT support's pages: the asset register (search, status filter, CSV)
//! with each asset's lifecycle and history, licences with their seats and
//! warnings, the roles each position's login gets, and the checklist tasks
//! of hires and leavers that wait with HR, IT and payroll.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use seam_app::Actor;
use seam_app::it::{self, AssetFilter, AssetMove, AssetRow, Licence, SeatRow};
use seam_app::onboarding::{self, Completion, TaskRow};
use seam_domain::access::Permission;
use seam_domain::it::{ASSET_KINDS, AssetDraft, AssetStatus, LicenceDraft};
use seam_domain::ledger::format_amount;
use serde::Deserialize;

use super::ledger::form_errors;
use super::parties::{TimelineEntry, timeline};
use super::{FormData, IdPath};
use crate::AppState;
use crate::html::{Errors, Page, fail, redirect_with_flash, render};
use crate::i18n::I18n;
use crate::who::{CurrentActor, Requester, Who};

type Options = Vec<(String, String)>;

/// An asset as a list or its page shows it.
pub struct AssetView {
    pub id: i64,
    pub tag: String,
    pub kind: String,
    pub model: String,
    pub serial_number: String,
    pub purchase_date: String,
    pub cost: String,
    pub location: String,
    pub status: String,
    pub status_label: String,
    pub holder: String,
    pub holder_id: Option<i64>,
}

impl AssetView {
    pub fn new(i18n: &I18n, row: &AssetRow) -> AssetView {
        AssetView {
            id: row.id,
            tag: row.tag.clone(),
            kind: i18n.t(&format!("it-kind-{}", row.kind)),
            model: row.model.clone(),
            serial_number: row.serial_number.clone(),
            purchase_date: row
                .purchase_date
                .as_deref()
                .map(|d| i18n.date(d))
                .unwrap_or_default(),
            cost: i18n.money(row.cost_minor, &row.currency),
            location: row.location.clone(),
            status: row.status.clone(),
            status_label: i18n.t(&format!("it-status-{}", row.status)),
            holder: row.employee_name.clone().unwrap_or_default(),
            holder_id: row.employee_id,
        }
    }
}

/// A licence as listed, with its warnings spelled out.
pub struct LicenceView {
    pub id: i64,
    pub product: String,
    pub vendor: String,
    pub seats: i64,
    pub assigned: i64,
    pub expires_on: String,
    pub cost: String,
    pub warnings: Vec<String>,
}

impl LicenceView {
    fn new(i18n: &I18n, l: &Licence) -> LicenceView {
        let mut warnings = Vec::new();
        if l.warnings.over_allocated {
            warnings.push(i18n.t("it-warning-over-allocated"));
        }
        if l.warnings.expiring {
            warnings.push(i18n.t("it-warning-expiring"));
        }
        if l.warnings.expired {
            warnings.push(i18n.t("it-warning-expired"));
        }
        LicenceView {
            id: l.row.id,
            product: l.row.product.clone(),
            vendor: l.row.vendor.clone(),
            seats: l.row.seats,
            assigned: l.row.assigned,
            expires_on: l
                .row
                .expires_on
                .as_deref()
                .map(|d| i18n.date(d))
                .unwrap_or_default(),
            cost: i18n.money(l.row.cost_minor, &l.row.currency),
            warnings,
        }
    }
}

/// A seat as listed.
pub struct SeatView {
    pub licence_id: i64,
    pub product: String,
    pub employee_id: i64,
    pub employee: String,
    pub since: String,
}

impl SeatView {
    pub fn new(page: &Page, s: &SeatRow) -> SeatView {
        SeatView {
            licence_id: s.licence_id,
            product: s.product.clone(),
            employee_id: s.employee_id,
            employee: s.employee_name.clone(),
            since: page.i18n.timestamp(&s.assigned_at_us, &page.time_zone),
        }
    }
}

/// A checklist task as listed.
pub struct TaskView {
    pub id: i64,
    pub employee_id: i64,
    pub employee: String,
    pub kind: String,
    pub label: String,
    pub team: String,
    pub due: String,
    pub done: bool,
    pub done_by: String,
    pub done_at: String,
    pub note: String,
}

impl TaskView {
    pub fn new(page: &Page, t: &TaskRow) -> TaskView {
        TaskView {
            id: t.id,
            employee_id: t.employee_id,
            employee: t.employee_name.clone(),
            kind: page.i18n.t(&format!("checklist-{}", t.kind)),
            label: page.i18n.t(&format!("task-{}", t.code)),
            team: page.i18n.t(&format!("team-{}", t.team)),
            due: page.i18n.date(&t.due_date),
            done: t.done_at_us.is_some(),
            done_by: t.done_by.clone().unwrap_or_default(),
            done_at: t
                .done_at_us
                .map(|us| page.i18n.timestamp(&us, &page.time_zone))
                .unwrap_or_default(),
            note: t.note.clone(),
        }
    }
}

/// The tasks of an employee's checklists and how many are done, for their page.
pub fn progress(tasks: &[TaskView]) -> (usize, usize) {
    (tasks.iter().filter(|t| t.done).count(), tasks.len())
}

async fn employee_options(state: &AppState, actor: &Actor) -> Options {
    seam_app::hr::list_employees(&state.app, actor, &Default::default())
        .await
        .unwrap_or_default()
        .into_iter()
        .map(|e| (e.id.to_string(), format!("{} ({})", e.name, e.number)))
        .collect()
}

fn kinds(i18n: &I18n) -> Options {
    ASSET_KINDS
        .iter()
        .map(|k| ((*k).to_owned(), i18n.t(&format!("it-kind-{k}"))))
        .collect()
}

fn statuses(i18n: &I18n) -> Options {
    AssetStatus::ALL
        .iter()
        .map(|s| {
            (
                s.name().to_owned(),
                i18n.t(&format!("it-status-{}", s.name())),
            )
        })
        .collect()
}

// ------------------------------------------------------------------- assets

#[derive(Debug, Clone, Default)]
pub struct AssetForm {
    pub kind: String,
    pub model: String,
    pub serial_number: String,
    pub purchase_date: String,
    pub cost: String,
    pub currency: String,
    pub location: String,
}

impl AssetForm {
    fn from_form(form: &FormData) -> AssetForm {
        AssetForm {
            kind: form.get("kind").to_owned(),
            model: form.get("model").to_owned(),
            serial_number: form.get("serial_number").to_owned(),
            purchase_date: form.get("purchase_date").to_owned(),
            cost: form.get("cost").to_owned(),
            currency: form.get("currency").to_owned(),
            location: form.get("location").to_owned(),
        }
    }

    fn of_row(row: &AssetRow) -> AssetForm {
        AssetForm {
            kind: row.kind.clone(),
            model: row.model.clone(),
            serial_number: row.serial_number.clone(),
            purchase_date: row.purchase_date.clone().unwrap_or_default(),
            cost: format_amount(row.cost_minor, &row.currency),
            currency: row.currency.clone(),
            location: row.location.clone(),
        }
    }

    fn draft(&self) -> AssetDraft {
        AssetDraft {
            kind: self.kind.clone(),
            model: self.model.clone(),
            serial_number: self.serial_number.clone(),
            purchase_date: self.purchase_date.clone(),
            cost: self.cost.clone(),
            currency: self.currency.clone(),
            location: self.location.clone(),
        }
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct AssetQuery {
    #[serde(default)]
    pub q: String,
    #[serde(default)]
    pub status: String,
    #[serde(default)]
    pub cursor: String,
}

#[derive(Template)]
#[template(path = "it_assets.html")]
struct AssetsPage {
    page: Page,
    assets: Vec<AssetView>,
    counts: Vec<(String, i64)>,
    q: String,
    status: String,
    next_link: String,
    kinds: Options,
    statuses: Options,
    form: AssetForm,
    errors: Errors,
}

async fn assets_page(
    state: &AppState,
    who: &Who,
    actor: &Actor,
    query: &AssetQuery,
    form: AssetForm,
    errors: Errors,
    status: StatusCode,
) -> Response {
    let filter = AssetFilter {
        text: query.q.clone(),
        status: query.status.clone(),
    };
    let before = query.cursor.parse().ok();
    let (assets, counts) = match tokio::try_join!(
        it::assets(&state.app, actor, &filter, before),
        it::asset_counts(&state.app, actor),
    ) {
        Ok(r) => r,
        Err(e) => return fail(who, &e),
    };
    let page = Page::new(state, who, "it-assets-title", "/it").await;
    let next_link = match assets.last() {
        Some(last) if assets.len() as i64 == it::PAGE_SIZE => format!(
            "/it?{}",
            serde_urlencoded::to_string([
                ("q", query.q.as_str()),
                ("status", query.status.as_str()),
                ("cursor", &last.id.to_string()),
            ])
            .unwrap_or_default()
        ),
        _ => String::new(),
    };
    let counts = counts
        .into_iter()
        .map(|(s, n)| (page.i18n.t(&format!("it-status-{s}")), n))
        .collect();
    let form = AssetForm {
        currency: if form.currency.is_empty() {
            "EUR".into()
        } else {
            form.currency
        },
        ..form
    };
    render(
        status,
        &AssetsPage {
            assets: assets
                .iter()
                .map(|a| AssetView::new(&page.i18n, a))
                .collect(),
            counts,
            q: query.q.clone(),
            status: query.status.clone(),
            next_link,
            kinds: kinds(&page.i18n),
            statuses: statuses(&page.i18n),
            form,
            errors,
            page,
        },
    )
}

pub async fn assets(
    State(state): State<AppState>,
    Requester(who): Requester,
    CurrentActor(actor): CurrentActor,
    Query(query): Query<AssetQuery>,
) -> Response {
    let form = AssetForm::default();
    assets_page(
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

pub async fn create_asset(
    State(state): State<AppState>,
    Requester(who): Requester,
    CurrentActor(actor): CurrentActor,
    form: FormData,
) -> Response {
    let typed = AssetForm::from_form(&form);
    match it::create_asset(&state.app, &actor, &typed.draft()).await {
        Ok((id, _)) => {
            redirect_with_flash(
                &state,
                &who,
                &format!("/it/assets/{id}"),
                "flash-asset-added",
            )
            .await
        }
        Err(e) => match form_errors(&I18n::new(actor.locale), &e, "form") {
            Some((status, errors)) => {
                let query = AssetQuery::default();
                assets_page(&state, &who, &actor, &query, typed, errors, status).await
            }
            None => fail(&who, &e),
        },
    }
}

pub async fn assets_csv(
    State(state): State<AppState>,
    Requester(who): Requester,
    CurrentActor(actor): CurrentActor,
) -> Response {
    match it::assets_csv(&state.app, &actor).await {
        Ok(csv) => (
            [
                (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
                (
                    header::CONTENT_DISPOSITION,
                    "attachment; filename=\"assets.csv\"",
                ),
            ],
            csv,
        )
            .into_response(),
        Err(e) => fail(&who, &e),
    }
}

#[derive(Template)]
#[template(path = "it_asset.html")]
struct AssetPage {
    page: Page,
    a: AssetView,
    version: i64,
    moves: Options,
    people: Options,
    kinds: Options,
    history: Vec<TimelineEntry>,
    form: AssetForm,
    section: String,
    errors: Errors,
}

async fn asset_page(
    state: &AppState,
    who: &Who,
    actor: &Actor,
    id: i64,
    again: Option<(&'static str, AssetForm, Errors, StatusCode)>,
) -> Response {
    let detail = match it::asset(&state.app, actor, id).await {
        Ok(d) => d,
        Err(e) => return fail(who, &e),
    };
    let people = employee_options(state, actor).await;
    let mut page = Page::new(state, who, "it-asset-title", "/it").await;
    page.title = format!("{} · {}", detail.asset.tag, detail.asset.model);
    let current = AssetStatus::parse(&detail.asset.status).unwrap_or(AssetStatus::InStock);
    let moves = AssetStatus::ALL
        .iter()
        .filter(|s| current.may_become(**s))
        .map(|s| {
            (
                s.name().to_owned(),
                page.i18n.t(&format!("it-move-{}", s.name())),
            )
        })
        .collect();
    let (section, form, errors, status) = again.unwrap_or_else(|| {
        (
            "",
            AssetForm::of_row(&detail.asset),
            Errors::default(),
            StatusCode::OK,
        )
    });
    render(
        status,
        &AssetPage {
            a: AssetView::new(&page.i18n, &detail.asset),
            version: detail.asset.version,
            moves,
            people,
            kinds: kinds(&page.i18n),
            history: timeline(&page, &detail.history),
            form,
            section: section.to_owned(),
            errors,
            page,
        },
    )
}

pub async fn asset(
    State(state): State<AppState>,
    Requester(who): Requester,
    CurrentActor(actor): CurrentActor,
    IdPath(id): IdPath,
) -> Response {
    asset_page(&state, &who, &actor, id, None).await
}

pub async fn update_asset(
    State(state): State<AppState>,
    Requester(who): Requester,
    CurrentActor(actor): CurrentActor,
    IdPath(id): IdPath,
    form: FormData,
) -> Response {
    let typed = AssetForm::from_form(&form);
    let version = form.get("version").parse().unwrap_or(0);
    match it::update_asset(&state.app, &actor, id, version, &typed.draft()).await {
        Ok(()) => {
            redirect_with_flash(&state, &who, &format!("/it/assets/{id}"), "flash-it-saved").await
        }
        Err(e) => match form_errors(&I18n::new(actor.locale), &e, "form") {
            Some((status, errors)) => {
                asset_page(
                    &state,
                    &who,
                    &actor,
                    id,
                    Some(("edit", typed, errors, status)),
                )
                .await
            }
            None => fail(&who, &e),
        },
    }
}

pub async fn move_asset(
    State(state): State<AppState>,
    Requester(who): Requester,
    CurrentActor(actor): CurrentActor,
    IdPath(id): IdPath,
    form: FormData,
) -> Response {
    let to = AssetMove {
        status: form.get("status").to_owned(),
        employee_id: form.get("employee_id").trim().parse().ok(),
        location: form.get("location").to_owned(),
    };
    match it::move_asset(&state.app, &actor, id, &to).await {
        Ok(()) => {
            redirect_with_flash(
                &state,
                &who,
                &format!("/it/assets/{id}"),
                "flash-asset-moved",
            )
            .await
        }
        Err(e) => match form_errors(&I18n::new(actor.locale), &e, "form") {
            Some((status, errors)) => {
                let typed = match it::asset(&state.app, &actor, id).await {
                    Ok(d) => AssetForm::of_row(&d.asset),
                    Err(e) => return fail(&who, &e),
                };
                asset_page(
                    &state,
                    &who,
                    &actor,
                    id,
                    Some(("move", typed, errors, status)),
                )
                .await
            }
            None => fail(&who, &e),
        },
    }
}

// ----------------------------------------------------------------- licences

#[derive(Debug, Clone, Default)]
pub struct LicenceForm {
    pub product: String,
    pub vendor: String,
    pub seats: String,
    pub expires_on: String,
    pub cost: String,
    pub currency: String,
}

impl LicenceForm {
    fn from_form(form: &FormData) -> LicenceForm {
        LicenceForm {
            product: form.get("product").to_owned(),
            vendor: form.get("vendor").to_owned(),
            seats: form.get("seats").to_owned(),
            expires_on: form.get("expires_on").to_owned(),
            cost: form.get("cost").to_owned(),
            currency: form.get("currency").to_owned(),
        }
    }

    fn of(l: &Licence) -> LicenceForm {
        LicenceForm {
            product: l.row.product.clone(),
            vendor: l.row.vendor.clone(),
            seats: l.row.seats.to_string(),
            expires_on: l.row.expires_on.clone().unwrap_or_default(),
            cost: format_amount(l.row.cost_minor, &l.row.currency),
            currency: l.row.currency.clone(),
        }
    }

    fn draft(&self) -> LicenceDraft {
        LicenceDraft {
            product: self.product.clone(),
            vendor: self.vendor.clone(),
            seats: self.seats.clone(),
            expires_on: self.expires_on.clone(),
            cost: self.cost.clone(),
            currency: self.currency.clone(),
        }
    }
}

#[derive(Template)]
#[template(path = "it_licences.html")]
struct LicencesPage {
    page: Page,
    licences: Vec<LicenceView>,
    /// The form creates a licence (version 0).
    version: i64,
    action: String,
    form: LicenceForm,
    errors: Errors,
}

async fn licences_page(
    state: &AppState,
    who: &Who,
    actor: &Actor,
    form: LicenceForm,
    errors: Errors,
    status: StatusCode,
) -> Response {
    let licences = match it::licences(&state.app, actor).await {
        Ok(l) => l,
        Err(e) => return fail(who, &e),
    };
    let page = Page::new(state, who, "it-licences-title", "/it").await;
    let form = LicenceForm {
        currency: if form.currency.is_empty() {
            "EUR".into()
        } else {
            form.currency
        },
        ..form
    };
    render(
        status,
        &LicencesPage {
            licences: licences
                .iter()
                .map(|l| LicenceView::new(&page.i18n, l))
                .collect(),
            version: 0,
            action: "/it/licences".into(),
            form,
            errors,
            page,
        },
    )
}

pub async fn licences(
    State(state): State<AppState>,
    Requester(who): Requester,
    CurrentActor(actor): CurrentActor,
) -> Response {
    let form = LicenceForm::default();
    licences_page(
        &state,
        &who,
        &actor,
        form,
        Errors::default(),
        StatusCode::OK,
    )
    .await
}

pub async fn create_licence(
    State(state): State<AppState>,
    Requester(who): Requester,
    CurrentActor(actor): CurrentActor,
    form: FormData,
) -> Response {
    let typed = LicenceForm::from_form(&form);
    match it::create_licence(&state.app, &actor, &typed.draft()).await {
        Ok(id) => {
            redirect_with_flash(
                &state,
                &who,
                &format!("/it/licences/{id}"),
                "flash-licence-added",
            )
            .await
        }
        Err(e) => match form_errors(&I18n::new(actor.locale), &e, "form") {
            Some((status, errors)) => {
                licences_page(&state, &who, &actor, typed, errors, status).await
            }
            None => fail(&who, &e),
        },
    }
}

#[derive(Template)]
#[template(path = "it_licence.html")]
struct LicencePage {
    page: Page,
    l: LicenceView,
    version: i64,
    action: String,
    seats: Vec<SeatView>,
    people: Options,
    history: Vec<TimelineEntry>,
    form: LicenceForm,
    section: String,
    errors: Errors,
}

async fn licence_page(
    state: &AppState,
    who: &Who,
    actor: &Actor,
    id: i64,
    again: Option<(&'static str, Option<LicenceForm>, Errors, StatusCode)>,
) -> Response {
    let detail = match it::licence(&state.app, actor, id).await {
        Ok(d) => d,
        Err(e) => return fail(who, &e),
    };
    let people = employee_options(state, actor).await;
    let mut page = Page::new(state, who, "it-licence-title", "/it").await;
    page.title.clone_from(&detail.licence.row.product);
    let (section, typed, errors, status) =
        again.unwrap_or(("", None, Errors::default(), StatusCode::OK));
    render(
        status,
        &LicencePage {
            l: LicenceView::new(&page.i18n, &detail.licence),
            version: detail.licence.row.version,
            action: format!("/it/licences/{id}"),
            seats: detail
                .seats
                .iter()
                .map(|s| SeatView::new(&page, s))
                .collect(),
            people,
            history: timeline(&page, &detail.history),
            form: typed.unwrap_or_else(|| LicenceForm::of(&detail.licence)),
            section: section.to_owned(),
            errors,
            page,
        },
    )
}

pub async fn licence(
    State(state): State<AppState>,
    Requester(who): Requester,
    CurrentActor(actor): CurrentActor,
    IdPath(id): IdPath,
) -> Response {
    licence_page(&state, &who, &actor, id, None).await
}

pub async fn update_licence(
    State(state): State<AppState>,
    Requester(who): Requester,
    CurrentActor(actor): CurrentActor,
    IdPath(id): IdPath,
    form: FormData,
) -> Response {
    let typed = LicenceForm::from_form(&form);
    let version = form.get("version").parse().unwrap_or(0);
    match it::update_licence(&state.app, &actor, id, version, &typed.draft()).await {
        Ok(()) => {
            redirect_with_flash(
                &state,
                &who,
                &format!("/it/licences/{id}"),
                "flash-it-saved",
            )
            .await
        }
        Err(e) => match form_errors(&I18n::new(actor.locale), &e, "form") {
            Some((status, errors)) => {
                let again = Some(("edit", Some(typed), errors, status));
                licence_page(&state, &who, &actor, id, again).await
            }
            None => fail(&who, &e),
        },
    }
}

pub async fn assign_seat(
    State(state): State<AppState>,
    Requester(who): Requester,
    CurrentActor(actor): CurrentActor,
    IdPath(id): IdPath,
    form: FormData,
) -> Response {
    let result = match form.get("employee_id").trim().parse::<i64>() {
        Ok(employee) => it::assign_seat(&state.app, &actor, id, employee).await,
        Err(_) => Err(seam_domain::FieldErrors::one("employee_id", "error-required").into()),
    };
    match result {
        Ok(()) => {
            redirect_with_flash(
                &state,
                &who,
                &format!("/it/licences/{id}"),
                "flash-seat-assigned",
            )
            .await
        }
        Err(e) => match form_errors(&I18n::new(actor.locale), &e, "form") {
            Some((status, errors)) => {
                licence_page(
                    &state,
                    &who,
                    &actor,
                    id,
                    Some(("seat", None, errors, status)),
                )
                .await
            }
            None => fail(&who, &e),
        },
    }
}

pub async fn release_seat(
    State(state): State<AppState>,
    Requester(who): Requester,
    CurrentActor(actor): CurrentActor,
    IdPath(id): IdPath,
    form: FormData,
) -> Response {
    let employee = form.get("employee_id").trim().parse::<i64>().unwrap_or(0);
    match it::release_seat(&state.app, &actor, id, employee).await {
        Ok(()) => {
            redirect_with_flash(
                &state,
                &who,
                &format!("/it/licences/{id}"),
                "flash-seat-released",
            )
            .await
        }
        Err(e) => fail(&who, &e),
    }
}

// ---------------------------------------------------------- position roles

#[derive(Template)]
#[template(path = "it_positions.html")]
struct PositionsPage {
    page: Page,
    positions: Vec<(i64, String, String)>,
    roles: Vec<String>,
    errors: Errors,
    failed: i64,
}

async fn positions_page(
    state: &AppState,
    who: &Who,
    actor: &Actor,
    failed: i64,
    errors: Errors,
    status: StatusCode,
) -> Response {
    let positions = match it::position_roles(&state.app, actor).await {
        Ok(p) => p,
        Err(e) => return fail(who, &e),
    };
    let page = Page::new(state, who, "it-positions-title", "/it").await;
    let roles = seam_domain::access::Role::ALL
        .iter()
        .filter(|r| {
            !matches!(
                r,
                seam_domain::access::Role::Admin | seam_domain::access::Role::Portal
            )
        })
        .map(|r| r.name().to_owned())
        .collect();
    render(
        status,
        &PositionsPage {
            positions,
            roles,
            errors,
            failed,
            page,
        },
    )
}

pub async fn positions(
    State(state): State<AppState>,
    Requester(who): Requester,
    CurrentActor(actor): CurrentActor,
) -> Response {
    positions_page(&state, &who, &actor, 0, Errors::default(), StatusCode::OK).await
}

pub async fn set_position_roles(
    State(state): State<AppState>,
    Requester(who): Requester,
    CurrentActor(actor): CurrentActor,
    IdPath(id): IdPath,
    form: FormData,
) -> Response {
    match it::set_position_roles(&state.app, &actor, id, form.get("login_roles")).await {
        Ok(()) => redirect_with_flash(&state, &who, "/it/positions", "flash-it-saved").await,
        Err(e) => match form_errors(&I18n::new(actor.locale), &e, "form") {
            Some((status, errors)) => {
                positions_page(&state, &who, &actor, id, errors, status).await
            }
            None => fail(&who, &e),
        },
    }
}

// -------------------------------------------------------------------- tasks

#[derive(Template)]
#[template(path = "tasks.html")]
struct TasksPage {
    page: Page,
    tasks: Vec<TaskView>,
}

/// The open checklist tasks of the teams the actor works in.
pub async fn tasks(
    State(state): State<AppState>,
    Requester(who): Requester,
    CurrentActor(actor): CurrentActor,
) -> Response {
    let rows = match onboarding::open_tasks(&state.app, &actor).await {
        Ok(r) => r,
        Err(e) => return fail(&who, &e),
    };
    let page = Page::new(&state, &who, "tasks-title", "/tasks").await;
    render(
        StatusCode::OK,
        &TasksPage {
            tasks: rows.iter().map(|t| TaskView::new(&page, t)).collect(),
            page,
        },
    )
}

#[derive(Template)]
#[template(path = "task.html")]
struct TaskPage {
    page: Page,
    t: TaskView,
    code: String,
    hint_key: String,
    /// In-stock laptops for the laptop task.
    stock: Options,
    licences: Vec<LicenceView>,
    structures: Options,
    holdings: Vec<AssetView>,
    username: String,
    errors: Errors,
}

async fn task_page(
    state: &AppState,
    who: &Who,
    actor: &Actor,
    id: i64,
    errors: Errors,
    status: StatusCode,
    username: String,
) -> Response {
    let row = match onboarding::task(&state.app, actor, id).await {
        Ok(r) => r,
        Err(e) => return fail(who, &e),
    };
    let mut page = Page::new(state, who, "tasks-title", "/tasks").await;
    let it_staff = actor.may(Permission::ItUse);
    let stock = if it_staff && row.code == "laptop" {
        let filter = AssetFilter {
            text: String::new(),
            status: "in-stock".into(),
        };
        it::assets(&state.app, actor, &filter, None)
            .await
            .unwrap_or_default()
            .into_iter()
            .filter(|a| a.kind == "laptop")
            .map(|a| {
                (
                    a.id.to_string(),
                    format!("{} · {} · {}", a.tag, a.model, a.serial_number),
                )
            })
            .collect()
    } else {
        Vec::new()
    };
    let licences = if it_staff && row.code == "licences" {
        it::licences(&state.app, actor)
            .await
            .unwrap_or_default()
            .iter()
            .map(|l| LicenceView::new(&page.i18n, l))
            .collect()
    } else {
        Vec::new()
    };
    let structures = if row.code == "payroll-record" {
        seam_app::payroll::structures(&state.app, actor)
            .await
            .unwrap_or_default()
            .into_iter()
            .map(|s| (s.id.to_string(), s.name))
            .collect()
    } else {
        Vec::new()
    };
    let holdings = if row.code == "assets-returned" {
        it::holdings(&state.app, actor, row.employee_id)
            .await
            .unwrap_or_default()
            .assets
            .iter()
            .map(|a| AssetView::new(&page.i18n, a))
            .collect()
    } else {
        Vec::new()
    };
    let t = TaskView::new(&page, &row);
    page.title = format!("{} · {}", t.label, t.employee);
    render(
        status,
        &TaskPage {
            code: row.code.clone(),
            hint_key: format!("task-{}-hint", row.code),
            t,
            stock,
            licences,
            structures,
            holdings,
            username,
            errors,
            page,
        },
    )
}

pub async fn task(
    State(state): State<AppState>,
    Requester(who): Requester,
    CurrentActor(actor): CurrentActor,
    IdPath(id): IdPath,
) -> Response {
    task_page(
        &state,
        &who,
        &actor,
        id,
        Errors::default(),
        StatusCode::OK,
        String::new(),
    )
    .await
}

pub async fn complete_task(
    State(state): State<AppState>,
    Requester(who): Requester,
    CurrentActor(actor): CurrentActor,
    IdPath(id): IdPath,
    form: FormData,
) -> Response {
    let input = Completion {
        note: form.get("note").to_owned(),
        username: form.get("username").to_owned(),
        password: form.get("password").to_owned(),
        asset_id: form.get("asset_id").trim().parse().ok(),
        licence_ids: form
            .all("licence_ids")
            .iter()
            .filter_map(|v| v.trim().parse().ok())
            .collect(),
        structure_id: form.get("structure_id").trim().parse().ok(),
        location: form.get("location").to_owned(),
    };
    match onboarding::complete(&state.app, &actor, id, &input).await {
        Ok(()) => redirect_with_flash(&state, &who, "/tasks", "flash-task-done").await,
        Err(e) => match form_errors(&I18n::new(actor.locale), &e, "form") {
            Some((status, errors)) => {
                task_page(&state, &who, &actor, id, errors, status, input.username).await
            }
            None => fail(&who, &e),
        },
    }
}
