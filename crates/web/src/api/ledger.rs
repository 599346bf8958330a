//! `/api/v1/accounts`, `/api/v1/journal-entries` and `/api/v1/reports/…`:
//! the ledger for integrators. Amounts travel as decimal strings (`"125.00"`)
//! next to their minor units (`12500`), never as floating-point numbers.

use axum::Json;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use seam_app::ledger::{self, AccountRow, EntryDetail, EntryRow, LineRow, ReportLine, Totals};
use seam_app::{Actor, AppError};
use seam_domain::FieldErrors;
use seam_domain::ledger::{AccountDraft, EntryDraft, LineDraft, format_amount};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::{IntoParams, ToSchema};

use super::json::{ApiJson, KnownFields};
use super::problem::Problem;
use super::rfc3339;
use crate::AppState;
use crate::pages::IdPath;
use crate::pages::reports::ReportDates;
use crate::who::CurrentActor;

/// Entries per page when the client does not say.
pub const ENTRIES_LIMIT_DEFAULT: i64 = 50;
/// The most entries one page may hold.
pub const ENTRIES_LIMIT_MAX: i64 = 500;

fn problem(err: &AppError) -> Response {
    Problem::from_app_error(err, &crate::current_request_id()).into_response()
}

fn invalid(errors: &FieldErrors) -> Response {
    Problem::invalid(errors, &crate::current_request_id()).into_response()
}

/// An account of the chart.
#[derive(Debug, Serialize, ToSchema)]
pub struct Account {
    pub id: i64,
    /// Unique; what journal lines name.
    pub code: String,
    pub name: String,
    /// `asset`, `liability`, `equity`, `revenue` or `expense`.
    pub kind: String,
    /// An archived account takes no new postings.
    pub archived: bool,
    pub created_at: String,
}

impl From<AccountRow> for Account {
    fn from(row: AccountRow) -> Account {
        Account {
            id: row.id,
            code: row.code,
            name: row.name,
            kind: row.kind,
            archived: row.archived,
            created_at: rfc3339(row.created_at_us),
        }
    }
}

/// The chart of accounts, by code.
#[derive(Debug, Serialize, ToSchema)]
pub struct AccountList {
    pub items: Vec<Account>,
}

/// A new account.
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct AccountInput {
    /// Up to 20 letters, digits, dots or dashes; unique.
    pub code: Option<String>,
    pub name: Option<String>,
    /// `asset`, `liability`, `equity`, `revenue` or `expense`.
    pub kind: Option<String>,
}

impl KnownFields for AccountInput {
    const FIELDS: &'static [&'static str] = &["code", "name", "kind"];
}

/// The chart of accounts.
#[utoipa::path(get, path = "/api/v1/accounts", tag = "ledger",
    responses((status = 200, body = AccountList), (status = 401, body = Problem), (status = 403, body = Problem)),
    security(("bearer" = [])))]
pub async fn accounts(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
) -> Response {
    match ledger::accounts(&state.app, &actor).await {
        Ok(rows) => Json(AccountList {
            items: rows.into_iter().map(Account::from).collect(),
        })
        .into_response(),
        Err(e) => problem(&e),
    }
}

/// Add an account to the chart. Its code and kind never change afterwards.
#[utoipa::path(post, path = "/api/v1/accounts", tag = "ledger", request_body = AccountInput,
    params(("Idempotency-Key" = Option<String>, Header, description = "Repeat a request safely: the same key returns the first response")),
    responses((status = 201, body = Account), (status = 422, body = Problem)), security(("bearer" = [])))]
pub async fn create_account(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    ApiJson(input): ApiJson<AccountInput>,
) -> Response {
    let draft = AccountDraft {
        code: input.code.unwrap_or_default(),
        name: input.name.unwrap_or_default(),
        kind: input.kind.unwrap_or_default(),
    };
    let id = match ledger::create_account(&state.app, &actor, &draft).await {
        Ok(id) => id,
        Err(e) => return problem(&e),
    };
    match ledger::accounts(&state.app, &actor).await {
        Ok(rows) => match rows.into_iter().find(|a| a.id == id) {
            Some(row) => (StatusCode::CREATED, Json(Account::from(row))).into_response(),
            None => problem(&AppError::NotFound),
        },
        Err(e) => problem(&e),
    }
}

/// A journal entry without its lines, as listed.
#[derive(Debug, Serialize, ToSchema)]
pub struct JournalEntrySummary {
    pub id: i64,
    /// Gapless per year: `JE-2026-000042`.
    pub number: String,
    /// `YYYY-MM-DD`.
    pub date: String,
    pub memo: String,
    /// ISO 4217.
    pub currency: String,
    /// The sum of the debits (which equals the sum of the credits), as a decimal.
    pub total: String,
    pub total_minor: i64,
    /// Set when this entry reverses another.
    pub reverses_id: Option<i64>,
    pub posted_at: String,
    /// The username that posted the entry.
    pub posted_by: String,
}

impl From<&EntryRow> for JournalEntrySummary {
    fn from(row: &EntryRow) -> JournalEntrySummary {
        JournalEntrySummary {
            id: row.id,
            number: row.number.clone(),
            date: row.entry_date.clone(),
            memo: row.memo.clone(),
            currency: row.currency.clone(),
            total: format_amount(row.total_minor, &row.currency),
            total_minor: row.total_minor,
            reverses_id: row.reverses_id,
            posted_at: rfc3339(row.posted_at_us),
            posted_by: row.posted_by.clone(),
        }
    }
}

/// A page of entries, newest first.
#[derive(Debug, Serialize, ToSchema)]
pub struct JournalEntryList {
    pub items: Vec<JournalEntrySummary>,
    /// Pass as `before` for the next (older) page; absent when no older entries remain.
    pub next_before: Option<i64>,
}

/// One line of an entry: an account and an amount on one side.
#[derive(Debug, Serialize, ToSchema)]
pub struct JournalLine {
    pub line_no: i64,
    /// The account's code.
    pub account: String,
    pub account_name: String,
    /// A decimal, `"0.00"` when the line is a credit.
    pub debit: String,
    pub debit_minor: i64,
    pub credit: String,
    pub credit_minor: i64,
}

impl JournalLine {
    fn new(row: &LineRow, currency: &str) -> JournalLine {
        JournalLine {
            line_no: row.line_no,
            account: row.account_code.clone(),
            account_name: row.account_name.clone(),
            debit: format_amount(row.debit_minor, currency),
            debit_minor: row.debit_minor,
            credit: format_amount(row.credit_minor, currency),
            credit_minor: row.credit_minor,
        }
    }
}

/// A posted journal entry with its lines. Posted entries never change; a
/// correction is a reversal.
#[derive(Debug, Serialize, ToSchema)]
pub struct JournalEntry {
    #[serde(flatten)]
    pub entry: JournalEntrySummary,
    /// The entry that reversed this one, if any.
    pub reversed_by_id: Option<i64>,
    pub lines: Vec<JournalLine>,
}

impl From<EntryDetail> for JournalEntry {
    fn from(detail: EntryDetail) -> JournalEntry {
        let currency = detail.entry.currency.clone();
        JournalEntry {
            entry: JournalEntrySummary::from(&detail.entry),
            reversed_by_id: detail.reversed_by.map(|r| r.id),
            lines: detail
                .lines
                .iter()
                .map(|l| JournalLine::new(l, &currency))
                .collect(),
        }
    }
}

/// One line of a new entry: exactly one of `debit` and `credit`.
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct JournalLineInput {
    /// The account's code.
    pub account: Option<String>,
    /// A decimal string without sign, like `"125.00"`.
    pub debit: Option<String>,
    pub credit: Option<String>,
}

const LINE_FIELDS: &[&str] = &["account", "debit", "credit"];

/// A new journal entry. It must balance: the debits equal the credits.
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct JournalEntryInput {
    /// `YYYY-MM-DD`, in an open period.
    pub date: Option<String>,
    pub memo: Option<String>,
    /// ISO 4217, like `EUR`.
    pub currency: Option<String>,
    /// At least two lines, at most 200.
    #[schema(value_type = Vec<JournalLineInput>)]
    pub lines: Option<Vec<Value>>,
}

impl KnownFields for JournalEntryInput {
    const FIELDS: &'static [&'static str] = &["date", "memo", "currency", "lines"];
}

/// Reads the lines one by one, so a mistake is named by its place (`lines[1].debit`).
fn line_drafts(lines: &[Value]) -> Result<Vec<LineDraft>, FieldErrors> {
    let mut errors = FieldErrors::new();
    let mut drafts = Vec::with_capacity(lines.len());
    for (index, value) in lines.iter().enumerate() {
        let Some(object) = value.as_object() else {
            errors.add(&format!("lines[{index}]"), "error-json-type");
            continue;
        };
        for key in object.keys().filter(|k| !LINE_FIELDS.contains(&k.as_str())) {
            errors.add(&format!("lines[{index}].{key}"), "error-unknown-field");
        }
        let mut text = |name: &str| match object.get(name) {
            None | Some(Value::Null) => String::new(),
            Some(Value::String(s)) => s.clone(),
            Some(_) => {
                errors.add(&format!("lines[{index}].{name}"), "error-json-type");
                String::new()
            }
        };
        drafts.push(LineDraft {
            account: text("account"),
            debit: text("debit"),
            credit: text("credit"),
        });
    }
    errors.into_result(drafts)
}

async fn entry_response(state: &AppState, actor: &Actor, id: i64, status: StatusCode) -> Response {
    match ledger::entry(&state.app, actor, id).await {
        Ok(detail) => (status, Json(JournalEntry::from(detail))).into_response(),
        Err(e) => problem(&e),
    }
}

/// Filters of the journal; all optional.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct EntriesParams {
    /// From `next_before` of the previous page: only entries older than this id.
    #[param(value_type = Option<i64>)]
    pub before: Option<String>,
    /// 1 to 500; default 50.
    #[param(value_type = Option<i64>)]
    pub limit: Option<String>,
}

impl EntriesParams {
    fn read(&self) -> Result<(Option<i64>, i64), FieldErrors> {
        let mut errors = FieldErrors::new();
        let before = match self.before.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(text) => text.parse::<i64>().map(Some).unwrap_or_else(|_| {
                errors.add("before", "error-cursor");
                None
            }),
        };
        let limit = match self.limit.as_deref().map(str::trim) {
            None | Some("") => ENTRIES_LIMIT_DEFAULT,
            Some(text) => text
                .parse::<i64>()
                .ok()
                .filter(|l| (1..=ENTRIES_LIMIT_MAX).contains(l))
                .unwrap_or_else(|| {
                    errors.add("limit", "error-limit");
                    ENTRIES_LIMIT_DEFAULT
                }),
        };
        errors.into_result((before, limit))
    }
}

/// The journal, newest first, a page at a time.
#[utoipa::path(get, path = "/api/v1/journal-entries", tag = "ledger", params(EntriesParams),
    responses((status = 200, body = JournalEntryList), (status = 422, body = Problem)),
    security(("bearer" = [])))]
pub async fn entries(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    Query(params): Query<EntriesParams>,
) -> Response {
    let (before, limit) = match params.read() {
        Ok(read) => read,
        Err(errors) => return invalid(&errors),
    };
    // One more than asked tells whether an older page exists.
    let mut rows = match ledger::entries(&state.app, &actor, before, limit + 1).await {
        Ok(rows) => rows,
        Err(e) => return problem(&e),
    };
    let limit_rows = usize::try_from(limit).unwrap_or(usize::MAX);
    // At the largest page size the store returns no extra row, so a full page may have successors.
    let more = rows.len() > limit_rows || (limit == ENTRIES_LIMIT_MAX && rows.len() == limit_rows);
    rows.truncate(limit_rows);
    Json(JournalEntryList {
        next_before: rows.last().filter(|_| more).map(|r| r.id),
        items: rows.iter().map(JournalEntrySummary::from).collect(),
    })
    .into_response()
}

/// One journal entry with its lines.
#[utoipa::path(get, path = "/api/v1/journal-entries/{id}", tag = "ledger", params(("id" = i64, Path)),
    responses((status = 200, body = JournalEntry), (status = 404, body = Problem)), security(("bearer" = [])))]
pub async fn entry(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    IdPath(id): IdPath,
) -> Response {
    entry_response(&state, &actor, id, StatusCode::OK).await
}

/// Post a journal entry. It gets the next number of its year. Send
/// `Idempotency-Key` so a retry cannot post it twice.
#[utoipa::path(post, path = "/api/v1/journal-entries", tag = "ledger", request_body = JournalEntryInput,
    params(("Idempotency-Key" = Option<String>, Header, description = "Repeat a request safely: the same key returns the first response")),
    responses((status = 201, body = JournalEntry), (status = 422, body = Problem)), security(("bearer" = [])))]
pub async fn post_entry(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    ApiJson(input): ApiJson<JournalEntryInput>,
) -> Response {
    let lines = match line_drafts(input.lines.as_deref().unwrap_or_default()) {
        Ok(lines) => lines,
        Err(errors) => return invalid(&errors),
    };
    let draft = EntryDraft {
        date: input.date.unwrap_or_default(),
        memo: input.memo.unwrap_or_default(),
        currency: input.currency.unwrap_or_default(),
        lines,
    };
    match ledger::post_entry(&state.app, &actor, &draft).await {
        Ok((id, _)) => entry_response(&state, &actor, id, StatusCode::CREATED).await,
        Err(e) => problem(&e),
    }
}

/// When to reverse an entry.
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct ReverseInput {
    /// `YYYY-MM-DD`, in an open period.
    pub date: Option<String>,
}

impl KnownFields for ReverseInput {
    const FIELDS: &'static [&'static str] = &["date"];
}

/// Reverse an entry: posts a new entry with every line's sides swapped and
/// returns it. An entry is reversed at most once, and a reversal is never reversed (409).
#[utoipa::path(post, path = "/api/v1/journal-entries/{id}/reverse", tag = "ledger", request_body = ReverseInput,
    params(("id" = i64, Path), ("Idempotency-Key" = Option<String>, Header, description = "Repeat a request safely: the same key returns the first response")),
    responses((status = 201, body = JournalEntry), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])))]
pub async fn reverse_entry(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    IdPath(id): IdPath,
    ApiJson(input): ApiJson<ReverseInput>,
) -> Response {
    let date = input.date.unwrap_or_default();
    match ledger::reverse_entry(&state.app, &actor, id, &date).await {
        Ok((reversal, _)) => entry_response(&state, &actor, reversal, StatusCode::CREATED).await,
        Err(e) => problem(&e),
    }
}

/// An amount in one currency.
#[derive(Debug, Serialize, ToSchema)]
pub struct CurrencyAmount {
    pub currency: String,
    /// A decimal, negative with a leading `-`.
    pub amount: String,
    pub amount_minor: i64,
}

fn amounts(totals: &Totals) -> Vec<CurrencyAmount> {
    totals
        .iter()
        .map(|(currency, minor)| CurrencyAmount {
            currency: currency.clone(),
            amount: format_amount(*minor, currency),
            amount_minor: *minor,
        })
        .collect()
}

/// One account's line of a report, in one currency.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReportAccountLine {
    pub code: String,
    pub name: String,
    pub kind: String,
    pub currency: String,
    /// The sum of the debits posted to the account in the report's range.
    pub debits: String,
    pub debits_minor: i64,
    pub credits: String,
    pub credits_minor: i64,
    /// On the account's normal side: positive when an asset holds value, a
    /// liability or equity is owed, revenue was earned, an expense was incurred.
    pub balance: String,
    pub balance_minor: i64,
}

impl From<&ReportLine> for ReportAccountLine {
    fn from(l: &ReportLine) -> ReportAccountLine {
        ReportAccountLine {
            code: l.code.clone(),
            name: l.name.clone(),
            kind: l.kind.name().to_owned(),
            currency: l.currency.clone(),
            debits: format_amount(l.debit_minor, &l.currency),
            debits_minor: l.debit_minor,
            credits: format_amount(l.credit_minor, &l.currency),
            credits_minor: l.credit_minor,
            balance: format_amount(l.normal_minor(), &l.currency),
            balance_minor: l.normal_minor(),
        }
    }
}

fn lines_of(lines: &[ReportLine]) -> Vec<ReportAccountLine> {
    lines.iter().map(ReportAccountLine::from).collect()
}

/// The trial balance at the end of a day: every account with postings.
#[derive(Debug, Serialize, ToSchema)]
pub struct TrialBalanceReport {
    pub at: String,
    pub lines: Vec<ReportAccountLine>,
    /// Per currency; equal to the credit totals.
    pub debit_totals: Vec<CurrencyAmount>,
    pub credit_totals: Vec<CurrencyAmount>,
}

/// Revenue and expenses over a range of days.
#[derive(Debug, Serialize, ToSchema)]
pub struct ProfitAndLossReport {
    pub from: String,
    pub to: String,
    pub revenue: Vec<ReportAccountLine>,
    pub expenses: Vec<ReportAccountLine>,
    /// Revenue minus expenses, per currency: negative is a loss.
    pub result: Vec<CurrencyAmount>,
}

/// What the business owns and owes at the end of a day.
#[derive(Debug, Serialize, ToSchema)]
pub struct BalanceSheetReport {
    pub at: String,
    pub assets: Vec<ReportAccountLine>,
    pub liabilities: Vec<ReportAccountLine>,
    pub equity: Vec<ReportAccountLine>,
    /// Revenue minus expenses not yet closed into equity.
    pub earnings: Vec<CurrencyAmount>,
    pub total_assets: Vec<CurrencyAmount>,
    /// Liabilities, equity and earnings; equal to the total assets.
    pub total_claims: Vec<CurrencyAmount>,
}

/// A report at the end of one day.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AtParams {
    /// `YYYY-MM-DD`; default today in the user's time zone.
    pub at: Option<String>,
}

/// A report over a range of days, both included.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RangeParams {
    /// `YYYY-MM-DD`; default the first of January of this year.
    pub from: Option<String>,
    /// `YYYY-MM-DD`; default today in the user's time zone.
    pub to: Option<String>,
}

fn dates(actor: &Actor, at: Option<&str>, from: Option<&str>, to: Option<&str>) -> ReportDates {
    let text = |t: Option<&str>| t.unwrap_or_default().to_owned();
    ReportDates::new(&text(at), &text(from), &text(to), &actor.time_zone)
}

/// The trial balance.
#[utoipa::path(get, path = "/api/v1/reports/trial-balance", tag = "ledger", params(AtParams),
    responses((status = 200, body = TrialBalanceReport), (status = 422, body = Problem)), security(("bearer" = [])))]
pub async fn trial_balance(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    Query(params): Query<AtParams>,
) -> Response {
    let dates = dates(&actor, params.at.as_deref(), None, None);
    match ledger::trial_balance(&state.app, &actor, &dates.at).await {
        Ok(tb) => Json(TrialBalanceReport {
            at: tb.at.iso(),
            lines: lines_of(&tb.lines),
            debit_totals: amounts(&tb.debit_totals),
            credit_totals: amounts(&tb.credit_totals),
        })
        .into_response(),
        Err(e) => problem(&e),
    }
}

/// Profit and loss.
#[utoipa::path(get, path = "/api/v1/reports/profit-and-loss", tag = "ledger", params(RangeParams),
    responses((status = 200, body = ProfitAndLossReport), (status = 422, body = Problem)), security(("bearer" = [])))]
pub async fn profit_and_loss(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    Query(params): Query<RangeParams>,
) -> Response {
    let dates = dates(&actor, None, params.from.as_deref(), params.to.as_deref());
    match ledger::profit_and_loss(&state.app, &actor, &dates.from, &dates.to).await {
        Ok(pl) => Json(ProfitAndLossReport {
            from: pl.from.iso(),
            to: pl.to.iso(),
            revenue: lines_of(&pl.revenue),
            expenses: lines_of(&pl.expenses),
            result: amounts(&pl.result),
        })
        .into_response(),
        Err(e) => problem(&e),
    }
}

/// The balance sheet.
#[utoipa::path(get, path = "/api/v1/reports/balance-sheet", tag = "ledger", params(AtParams),
    responses((status = 200, body = BalanceSheetReport), (status = 422, body = Problem)), security(("bearer" = [])))]
pub async fn balance_sheet(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    Query(params): Query<AtParams>,
) -> Response {
    let dates = dates(&actor, params.at.as_deref(), None, None);
    match ledger::balance_sheet(&state.app, &actor, &dates.at).await {
        Ok(bs) => Json(BalanceSheetReport {
            at: bs.at.iso(),
            assets: lines_of(&bs.assets),
            liabilities: lines_of(&bs.liabilities),
            equity: lines_of(&bs.equity),
            earnings: amounts(&bs.earnings),
            total_assets: amounts(&bs.total_assets),
            total_claims: amounts(&bs.total_claims),
        })
        .into_response(),
        Err(e) => problem(&e),
    }
}
