//! Receivables pages besides invoices and payments: the aging report (page
//! and CSV), a customer's statement, the exchange rates, and the company
//! profile printed on every invoice.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use seam_app::company::{self, CompanyProfile};
use seam_app::invoicing::{self, AgingReport};
use seam_app::{Actor, AppError, parties};
use seam_domain::access::Permission;
use seam_domain::ids::PartyId;
use seam_domain::invoice::{AgingBucket, format_rate};
use seam_domain::ledger::format_amount;
use serde::Deserialize;

use super::invoices::today_of;
use super::ledger::form_errors;
use super::{FormData, IdPath};
use crate::AppState;
use crate::html::{Errors, Page, fail, redirect_with_flash, render};
use crate::who::{CurrentActor, Requester, Who};

const NAV_PATH: &str = "/accounting";

#[derive(Debug, Clone, Default, Deserialize)]
pub struct AgingQuery {
    #[serde(default)]
    pub at: String,
    /// `csv` for a download.
    #[serde(default)]
    pub format: String,
}

/// A customer's line, ready to show.
pub struct AgingRowView {
    pub party_id: i64,
    pub name: String,
    pub buckets: Vec<String>,
    pub total: String,
}

#[derive(Template)]
#[template(path = "aging_report.html")]
struct AgingPage {
    page: Page,
    at: String,
    bucket_names: Vec<String>,
    rows: Vec<AgingRowView>,
    totals: Vec<String>,
    total: String,
    csv_link: String,
    errors: Errors,
}

/// A spreadsheet cell that starts like a formula is prefixed, so opening the file runs nothing.
fn cell(text: &str) -> String {
    if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{text}")
    } else {
        text.to_owned()
    }
}

fn aging_csv(report: &AgingReport) -> Result<String, AppError> {
    let csv_err = |e: csv::Error| AppError::Internal(anyhow::Error::new(e));
    let mut out = csv::Writer::from_writer(Vec::new());
    let mut header = vec!["party_id".to_owned(), "customer".to_owned()];
    header.extend(AgingBucket::ALL.iter().map(|b| b.name().replace('-', "_")));
    header.extend(["total".to_owned(), "currency".to_owned()]);
    out.write_record(&header).map_err(csv_err)?;
    let money = |m: i64| format_amount(m, &report.currency);
    for row in &report.rows {
        let mut record = vec![row.party_id.to_string(), cell(&row.party_name)];
        record.extend(row.buckets.iter().map(|m| money(*m)));
        record.extend([money(row.total), report.currency.clone()]);
        out.write_record(&record).map_err(csv_err)?;
    }
    let mut record = vec![String::new(), "total".to_owned()];
    record.extend(report.totals.iter().map(|m| money(*m)));
    record.extend([money(report.total), report.currency.clone()]);
    out.write_record(&record).map_err(csv_err)?;
    let bytes = out
        .into_inner()
        .map_err(|e| AppError::Internal(anyhow::anyhow!("csv: {e}")))?;
    String::from_utf8(bytes).map_err(|e| AppError::Internal(anyhow::Error::new(e)))
}

pub async fn aging(
    State(state): State<AppState>,
    Requester(who): Requester,
    CurrentActor(actor): CurrentActor,
    Query(query): Query<AgingQuery>,
) -> Response {
    let at = if query.at.trim().is_empty() {
        today_of(&actor).iso()
    } else {
        query.at.trim().to_owned()
    };
    let result = invoicing::aging(&state.app, &actor, &at).await;
    if let (Ok(report), "csv") = (&result, query.format.as_str()) {
        return match aging_csv(report) {
            Ok(csv) => (
                StatusCode::OK,
                [
                    (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
                    (
                        header::CONTENT_DISPOSITION,
                        format!("attachment; filename=\"aging-{}.csv\"", report.at),
                    ),
                ],
                csv,
            )
                .into_response(),
            Err(e) => fail(&who, &e),
        };
    }
    let page = Page::new(&state, &who, "aging-title", NAV_PATH).await;
    let i18n = &page.i18n;
    let bucket_names = AgingBucket::ALL
        .iter()
        .map(|b| i18n.t(&format!("aging-bucket-{}", b.name())))
        .collect();
    let (status, errors, report) = match result {
        Ok(r) => (StatusCode::OK, Errors::default(), Some(r)),
        Err(e) => match form_errors(i18n, &e, "at") {
            Some((status, errors)) => (status, errors, None),
            None => return fail(&who, &e),
        },
    };
    let (rows, totals, total, csv_link) = match &report {
        Some(r) => {
            let money = |m: i64| i18n.money(m, &r.currency);
            (
                r.rows
                    .iter()
                    .map(|row| AgingRowView {
                        party_id: row.party_id,
                        name: row.party_name.clone(),
                        buckets: row.buckets.iter().map(|m| money(*m)).collect(),
                        total: money(row.total),
                    })
                    .collect(),
                r.totals.iter().map(|m| money(*m)).collect(),
                money(r.total),
                format!(
                    "/reports/aging?{}",
                    super::query_string(&[("at", r.at.as_str()), ("format", "csv")])
                ),
            )
        }
        None => (Vec::new(), Vec::new(), String::new(), String::new()),
    };
    render(
        status,
        &AgingPage {
            at,
            bucket_names,
            rows,
            totals,
            total,
            csv_link,
            errors,
            page,
        },
    )
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct StatementQuery {
    #[serde(default)]
    pub from: String,
    #[serde(default)]
    pub to: String,
}

/// A statement line, ready to show.
pub struct StatementLineView {
    pub date: String,
    pub kind_name: String,
    /// Where the document or payment is shown.
    pub href: String,
    pub number: String,
    pub debit: String,
    pub credit: String,
    pub balance: String,
}

/// One currency's part of the statement.
pub struct SectionView {
    pub currency: String,
    pub opening: String,
    pub lines: Vec<StatementLineView>,
    pub closing: String,
}

#[derive(Template)]
#[template(path = "party_statement.html")]
struct StatementPage {
    page: Page,
    party_id: i64,
    party_name: String,
    from: String,
    to: String,
    period: String,
    sections: Vec<SectionView>,
    errors: Errors,
}

pub async fn statement(
    State(state): State<AppState>,
    Requester(who): Requester,
    CurrentActor(actor): CurrentActor,
    IdPath(id): IdPath,
    Query(query): Query<StatementQuery>,
) -> Response {
    let party = match parties::party(&state.app, &actor, PartyId(id)).await {
        Ok(p) => p,
        Err(e) => return fail(&who, &e),
    };
    let result = invoicing::statement(&state.app, &actor, id, &query.from, &query.to).await;
    let mut page = Page::new(&state, &who, "statement-title", "/parties").await;
    let i18n = &page.i18n;
    let (status, errors, sections) = match result {
        Ok(s) => (StatusCode::OK, Errors::default(), s),
        Err(e) => match form_errors(i18n, &e, "from") {
            Some((status, errors)) => (status, errors, Vec::new()),
            None => return fail(&who, &e),
        },
    };
    // The period the statement covers, as the use case defaults it.
    let today = today_of(&actor);
    let to = if query.to.trim().is_empty() {
        today.iso()
    } else {
        query.to.trim().to_owned()
    };
    let from = if query.from.trim().is_empty() {
        format!("{}-01-01", to.get(..4).unwrap_or("1970"))
    } else {
        query.from.trim().to_owned()
    };
    let sections = sections
        .iter()
        .map(|s| {
            let money = |m: i64| i18n.money(m, &s.currency);
            let blank = |m: i64| if m == 0 { String::new() } else { money(m) };
            SectionView {
                currency: s.currency.clone(),
                opening: money(s.opening_minor),
                lines: s
                    .lines
                    .iter()
                    .map(|l| StatementLineView {
                        date: i18n.date(&l.row.date),
                        kind_name: i18n.t(&format!("statement-kind-{}", l.row.kind)),
                        href: if l.row.kind == "payment" {
                            format!("/payments/{}", l.row.id)
                        } else {
                            format!("/invoices/{}", l.row.id)
                        },
                        number: l.row.number.clone(),
                        debit: blank(l.row.debit_minor),
                        credit: blank(l.row.credit_minor),
                        balance: money(l.balance_minor),
                    })
                    .collect(),
                closing: money(s.closing_minor),
            }
        })
        .collect();
    let period = format!("{} – {}", i18n.date(&from), i18n.date(&to));
    page.title = format!("{} · {}", page.title, party.name);
    render(
        status,
        &StatementPage {
            party_id: party.id,
            party_name: party.name,
            from,
            to,
            period,
            sections,
            errors,
            page,
        },
    )
}

/// A rate, ready to show.
pub struct RateView {
    pub currency: String,
    pub date: String,
    pub rate: String,
    pub by: String,
}

#[derive(Template)]
#[template(path = "exchange_rates.html")]
struct RatesPage {
    page: Page,
    company_currency: String,
    rates: Vec<RateView>,
    may_admin: bool,
    currency: String,
    date: String,
    rate: String,
    errors: Errors,
}

async fn rates_page(
    state: &AppState,
    who: &Who,
    actor: &Actor,
    typed: Option<(&FormData, &AppError)>,
) -> Response {
    let rows = match invoicing::rates(&state.app, actor).await {
        Ok(r) => r,
        Err(e) => return fail(who, &e),
    };
    let company_currency = match company::currency(&state.app).await {
        Ok(c) => c,
        Err(e) => return fail(who, &e),
    };
    let page = Page::new(state, who, "rates-title", NAV_PATH).await;
    let i18n = &page.i18n;
    let (status, errors) = match typed {
        None => (StatusCode::OK, Errors::default()),
        Some((_, e)) => match form_errors(i18n, e, "form") {
            Some(shown) => shown,
            None => return fail(who, e),
        },
    };
    let field = |name: &str| typed.map(|(f, _)| f.get(name).to_owned());
    render(
        status,
        &RatesPage {
            rates: rows
                .iter()
                .map(|r| RateView {
                    currency: r.currency.clone(),
                    date: i18n.date(&r.rate_date),
                    rate: format_rate(r.rate_e9),
                    by: r.created_by.clone(),
                })
                .collect(),
            company_currency,
            may_admin: actor.may(Permission::LedgerAdmin),
            currency: field("currency").unwrap_or_default(),
            date: field("date").unwrap_or_else(|| today_of(actor).iso()),
            rate: field("rate").unwrap_or_default(),
            errors,
            page,
        },
    )
}

pub async fn rates(
    State(state): State<AppState>,
    Requester(who): Requester,
    CurrentActor(actor): CurrentActor,
) -> Response {
    rates_page(&state, &who, &actor, None).await
}

pub async fn set_rate(
    State(state): State<AppState>,
    Requester(who): Requester,
    CurrentActor(actor): CurrentActor,
    form: FormData,
) -> Response {
    match invoicing::set_rate(
        &state.app,
        &actor,
        form.get("currency"),
        form.get("date"),
        form.get("rate"),
    )
    .await
    {
        Ok(()) => redirect_with_flash(&state, &who, "/accounting/rates", "flash-rate-set").await,
        Err(e) => rates_page(&state, &who, &actor, Some((&form, &e))).await,
    }
}

#[derive(Template)]
#[template(path = "company_profile.html")]
struct CompanyPage {
    page: Page,
    profile: CompanyProfile,
    errors: Errors,
}

async fn company_page(
    state: &AppState,
    who: &Who,
    profile: CompanyProfile,
    err: Option<&AppError>,
) -> Response {
    let page = Page::new(state, who, "company-title", NAV_PATH).await;
    let (status, errors) = match err {
        None => (StatusCode::OK, Errors::default()),
        Some(e) => match form_errors(&page.i18n, e, "form") {
            Some(shown) => shown,
            None => return fail(who, e),
        },
    };
    render(
        status,
        &CompanyPage {
            page,
            profile,
            errors,
        },
    )
}

pub async fn company_form(State(state): State<AppState>, Requester(who): Requester) -> Response {
    match company::profile(&state.app).await {
        Ok(profile) => company_page(&state, &who, profile, None).await,
        Err(e) => fail(&who, &e),
    }
}

pub async fn save_company(
    State(state): State<AppState>,
    Requester(who): Requester,
    CurrentActor(actor): CurrentActor,
    form: FormData,
) -> Response {
    let draft = CompanyProfile {
        name: form.get("name").to_owned(),
        vat_id: form.get("vat_id").to_owned(),
        legal_id: form.get("legal_id").to_owned(),
        street: form.get("street").to_owned(),
        postcode: form.get("postcode").to_owned(),
        city: form.get("city").to_owned(),
        country: form.get("country").to_owned(),
        email: form.get("email").to_owned(),
        iban: form.get("iban").to_owned(),
        currency: form.get("currency").to_owned(),
    };
    match company::update_profile(&state.app, &actor, &draft).await {
        Ok(()) => {
            redirect_with_flash(&state, &who, "/accounting/company", "flash-company-saved").await
        }
        Err(e) => company_page(&state, &who, draft, Some(&e)).await,
    }
}
