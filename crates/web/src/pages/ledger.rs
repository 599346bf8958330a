//! Ledger pages: the chart of accounts, the journal with its entry form and
//! reversals, and closed periods. The reports are in [`super::reports`].

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use seam_app::ledger::{self, AccountRow, EntryDetail, EntryRow};
use seam_app::{Actor, AppError};
use seam_domain::FieldErrors;
use seam_domain::access::Permission;
use seam_domain::ledger::{AccountDraft, AccountKind, ENTRY_LINES_MAX, EntryDraft, LineDraft};
use serde::Deserialize;

use super::{FormData, IdPath};
use crate::AppState;
use crate::html::{Errors, Page, fail, ok, redirect_with_flash, render};
use crate::i18n::I18n;
use crate::who::{CurrentActor, Requester, Who};

/// Entries per page of the journal.
pub const JOURNAL_PAGE_SIZE: i64 = 50;
/// Line rows the entry form offers; more can be posted through the API.
pub const ENTRY_FORM_LINES: usize = 8;
/// The currency an entry form starts with.
pub const DEFAULT_CURRENCY: &str = "EUR";
/// Where the ledger's pages sit in the navigation.
const NAV_PATH: &str = "/accounting";

/// Today's date where the user is.
pub fn today(time_zone: &str) -> jiff::civil::Date {
    let tz = jiff::tz::TimeZone::get(time_zone).unwrap_or(jiff::tz::TimeZone::UTC);
    jiff::Timestamp::now().to_zoned(tz).date()
}

/// The form errors of a use case's error and the status to show them with;
/// `None` for errors that get the error page. A conflict is shown at `conflict_field`.
pub fn form_errors(
    i18n: &I18n,
    err: &AppError,
    conflict_field: &str,
) -> Option<(StatusCode, Errors)> {
    match err {
        AppError::Invalid(fields) => {
            Some((StatusCode::UNPROCESSABLE_ENTITY, Errors::new(i18n, fields)))
        }
        AppError::Conflict(code) => Some((
            StatusCode::CONFLICT,
            Errors::one(i18n, conflict_field, code),
        )),
        _ => None,
    }
}

/// How a page shows the outcome of its form: no error, errors next to the
/// fields (with their status), or `Err` for the error page.
pub fn outcome<'e>(
    i18n: &I18n,
    err: Option<&'e AppError>,
    conflict_field: &str,
) -> Result<(StatusCode, Errors), &'e AppError> {
    match err {
        None => Ok((StatusCode::OK, Errors::default())),
        Some(e) => form_errors(i18n, e, conflict_field).ok_or(e),
    }
}

/// An account, ready to show.
pub struct AccountView {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub kind: String,
    pub archived: bool,
}

impl AccountView {
    fn new(i18n: &I18n, row: AccountRow) -> AccountView {
        AccountView {
            id: row.id,
            kind: i18n.t(&format!("account-kind-{}", row.kind)),
            code: row.code,
            name: row.name,
            archived: row.archived,
        }
    }
}

/// A choice of a select: its value and its text.
pub struct Choice {
    pub value: String,
    pub label: String,
}

fn kind_choices(i18n: &I18n) -> Vec<Choice> {
    AccountKind::ALL
        .into_iter()
        .map(|k| Choice {
            value: k.name().to_owned(),
            label: i18n.t(&format!("account-kind-{}", k.name())),
        })
        .collect()
}

#[derive(Template)]
#[template(path = "ledger_accounts.html")]
struct AccountsPage {
    page: Page,
    here: &'static str,
    accounts: Vec<AccountView>,
    may_admin: bool,
    draft: AccountDraft,
    kinds: Vec<Choice>,
    errors: Errors,
}

/// The chart with the add form; `draft` and `errors` refill the form after a refusal.
async fn accounts_page(
    state: &AppState,
    who: &Who,
    actor: &Actor,
    draft: AccountDraft,
    err: Option<&AppError>,
) -> Response {
    let rows = match ledger::accounts(&state.app, actor).await {
        Ok(rows) => rows,
        Err(e) => return fail(who, &e),
    };
    let page = Page::new(state, who, "ledger-accounts-title", NAV_PATH).await;
    let (status, errors) = match outcome(&page.i18n, err, "code") {
        Ok(shown) => shown,
        Err(e) => return fail(who, e),
    };
    let i18n = page.i18n;
    render(
        status,
        &AccountsPage {
            here: "accounts",
            accounts: rows
                .into_iter()
                .map(|r| AccountView::new(&i18n, r))
                .collect(),
            may_admin: actor.may(Permission::LedgerAdmin),
            draft,
            kinds: kind_choices(&i18n),
            errors,
            page,
        },
    )
}

pub async fn accounts(
    State(state): State<AppState>,
    Requester(who): Requester,
    CurrentActor(actor): CurrentActor,
) -> Response {
    let draft = AccountDraft {
        kind: AccountKind::Asset.name().to_owned(),
        ..AccountDraft::default()
    };
    accounts_page(&state, &who, &actor, draft, None).await
}

pub async fn create_account(
    State(state): State<AppState>,
    Requester(who): Requester,
    CurrentActor(actor): CurrentActor,
    form: FormData,
) -> Response {
    let draft = AccountDraft {
        code: form.get("code").to_owned(),
        name: form.get("name").to_owned(),
        kind: form.get("kind").to_owned(),
    };
    match ledger::create_account(&state.app, &actor, &draft).await {
        Ok(_) => {
            redirect_with_flash(
                &state,
                &who,
                "/accounting/accounts",
                "flash-account-created",
            )
            .await
        }
        Err(e) => accounts_page(&state, &who, &actor, draft, Some(&e)).await,
    }
}

#[derive(Template)]
#[template(path = "ledger_account_form.html")]
struct AccountFormPage {
    page: Page,
    account: AccountView,
    /// The name as typed (not `name`: the field macro has a parameter of that name).
    account_name: String,
    archived: bool,
    errors: Errors,
}

async fn account_by_id(state: &AppState, actor: &Actor, id: i64) -> Result<AccountRow, AppError> {
    ledger::accounts(&state.app, actor)
        .await?
        .into_iter()
        .find(|a| a.id == id)
        .ok_or(AppError::NotFound)
}

pub async fn edit_account(
    State(state): State<AppState>,
    Requester(who): Requester,
    CurrentActor(actor): CurrentActor,
    IdPath(id): IdPath,
) -> Response {
    let row = match account_by_id(&state, &actor, id).await {
        Ok(row) => row,
        Err(e) => return fail(&who, &e),
    };
    let page = Page::new(&state, &who, "ledger-account-edit-title", NAV_PATH).await;
    let (name, archived) = (row.name.clone(), row.archived);
    ok(&AccountFormPage {
        account: AccountView::new(&page.i18n, row),
        account_name: name,
        archived,
        errors: Errors::default(),
        page,
    })
}

pub async fn update_account(
    State(state): State<AppState>,
    Requester(who): Requester,
    CurrentActor(actor): CurrentActor,
    IdPath(id): IdPath,
    form: FormData,
) -> Response {
    let (name, archived) = (form.get("name").to_owned(), form.checked("archived"));
    let err = match ledger::update_account(&state.app, &actor, id, &name, archived).await {
        Ok(()) => {
            return redirect_with_flash(
                &state,
                &who,
                "/accounting/accounts",
                "flash-account-saved",
            )
            .await;
        }
        Err(e) => e,
    };
    let row = match account_by_id(&state, &actor, id).await {
        Ok(row) => row,
        Err(e) => return fail(&who, &e),
    };
    let page = Page::new(&state, &who, "ledger-account-edit-title", NAV_PATH).await;
    let Some((status, errors)) = form_errors(&page.i18n, &err, "name") else {
        return fail(&who, &err);
    };
    render(
        status,
        &AccountFormPage {
            account: AccountView::new(&page.i18n, row),
            account_name: name,
            archived,
            errors,
            page,
        },
    )
}

/// A journal entry's headline, ready to show.
pub struct EntryView {
    pub id: i64,
    pub number: String,
    pub date: String,
    pub memo: String,
    pub total: String,
    pub reverses_id: Option<i64>,
}

impl EntryView {
    fn new(i18n: &I18n, row: &EntryRow) -> EntryView {
        EntryView {
            id: row.id,
            number: row.number.clone(),
            date: i18n.date(&row.entry_date),
            memo: row.memo.clone(),
            total: i18n.money(row.total_minor, &row.currency),
            reverses_id: row.reverses_id,
        }
    }
}

#[derive(Deserialize, Default)]
pub struct JournalQuery {
    #[serde(default)]
    before: String,
}

#[derive(Template)]
#[template(path = "ledger_journal.html")]
struct JournalPage {
    page: Page,
    here: &'static str,
    entries: Vec<EntryView>,
    older_link: String,
    newest_link: bool,
    may_post: bool,
}

pub async fn journal(
    State(state): State<AppState>,
    Requester(who): Requester,
    CurrentActor(actor): CurrentActor,
    Query(query): Query<JournalQuery>,
) -> Response {
    // An unreadable `before` shows the newest entries rather than an error: it only comes from edited links.
    let before = query.before.trim().parse::<i64>().ok();
    let mut rows = match ledger::entries(&state.app, &actor, before, JOURNAL_PAGE_SIZE + 1).await {
        Ok(rows) => rows,
        Err(e) => return fail(&who, &e),
    };
    let more = rows.len() > usize::try_from(JOURNAL_PAGE_SIZE).unwrap_or(usize::MAX);
    rows.truncate(usize::try_from(JOURNAL_PAGE_SIZE).unwrap_or(usize::MAX));
    let older_link = match rows.last() {
        Some(last) if more => format!("/accounting/journal?before={}", last.id),
        _ => String::new(),
    };
    let page = Page::new(&state, &who, "ledger-journal-title", NAV_PATH).await;
    ok(&JournalPage {
        here: "journal",
        entries: rows.iter().map(|r| EntryView::new(&page.i18n, r)).collect(),
        older_link,
        newest_link: before.is_some(),
        may_post: actor.may(Permission::LedgerPost),
        page,
    })
}

/// One row of the entry form, with the messages for its three inputs.
pub struct LineRowInput {
    pub index: usize,
    pub account: String,
    pub debit: String,
    pub credit: String,
    pub account_error: String,
    pub debit_error: String,
    pub credit_error: String,
}

#[derive(Template)]
#[template(path = "ledger_entry_form.html")]
struct EntryFormPage {
    page: Page,
    draft: EntryDraft,
    lines: Vec<LineRowInput>,
    accounts: Vec<Choice>,
    errors: Errors,
}

/// The accounts that take postings, for the line selects; a code the user
/// chose that is no longer among them stays selectable so their input is kept.
fn account_choices(rows: Vec<AccountRow>, chosen: &[LineDraft]) -> Vec<Choice> {
    let mut choices: Vec<Choice> = rows
        .into_iter()
        .filter(|a| !a.archived)
        .map(|a| Choice {
            label: format!("{} · {}", a.code, a.name),
            value: a.code,
        })
        .collect();
    for line in chosen {
        let code = line.account.trim();
        if !code.is_empty() && !choices.iter().any(|c| c.value == code) {
            choices.push(Choice {
                value: code.to_owned(),
                label: code.to_owned(),
            });
        }
    }
    choices
}

fn line_rows(draft: &EntryDraft, errors: &Errors) -> Vec<LineRowInput> {
    let count = draft.lines.len().max(ENTRY_FORM_LINES);
    (0..count)
        .map(|index| {
            let line = draft.lines.get(index).cloned().unwrap_or_default();
            let error = |side: &str| errors.get(&format!("lines[{index}].{side}")).to_owned();
            LineRowInput {
                index,
                account_error: error("account"),
                debit_error: error("debit"),
                credit_error: error("credit"),
                account: line.account,
                debit: line.debit,
                credit: line.credit,
            }
        })
        .collect()
}

async fn entry_form(
    state: &AppState,
    who: &Who,
    actor: &Actor,
    draft: EntryDraft,
    status: StatusCode,
    errors: Errors,
) -> Response {
    let rows = match ledger::accounts(&state.app, actor).await {
        Ok(rows) => rows,
        Err(e) => return fail(who, &e),
    };
    let page = Page::new(state, who, "ledger-entry-new-title", NAV_PATH).await;
    render(
        status,
        &EntryFormPage {
            page,
            lines: line_rows(&draft, &errors),
            accounts: account_choices(rows, &draft.lines),
            draft,
            errors,
        },
    )
}

pub async fn new_entry(
    State(state): State<AppState>,
    Requester(who): Requester,
    CurrentActor(actor): CurrentActor,
) -> Response {
    let draft = EntryDraft {
        date: today(&actor.time_zone).to_string(),
        currency: DEFAULT_CURRENCY.to_owned(),
        ..EntryDraft::default()
    };
    entry_form(
        &state,
        &who,
        &actor,
        draft,
        StatusCode::OK,
        Errors::default(),
    )
    .await
}

/// The lines of the entry form, `lines[N].account|debit|credit`, in row order.
fn lines_from_form(form: &FormData) -> Result<Vec<LineDraft>, FieldErrors> {
    let mut lines: Vec<LineDraft> = Vec::new();
    for (key, value) in &form.0 {
        let Some((index, side)) = key
            .strip_prefix("lines[")
            .and_then(|rest| rest.split_once("]."))
        else {
            continue;
        };
        let Ok(index) = index.parse::<usize>() else {
            continue;
        };
        if index >= ENTRY_LINES_MAX {
            return Err(FieldErrors::one("lines", "error-entry-too-many-lines"));
        }
        if lines.len() <= index {
            lines.resize(index + 1, LineDraft::default());
        }
        if let Some(line) = lines.get_mut(index) {
            match side {
                "account" => line.account = value.clone(),
                "debit" => line.debit = value.clone(),
                "credit" => line.credit = value.clone(),
                _ => {}
            }
        }
    }
    Ok(lines)
}

pub async fn post_entry(
    State(state): State<AppState>,
    Requester(who): Requester,
    CurrentActor(actor): CurrentActor,
    form: FormData,
) -> Response {
    let mut draft = EntryDraft {
        date: form.get("date").to_owned(),
        memo: form.get("memo").to_owned(),
        currency: form.get("currency").to_owned(),
        lines: Vec::new(),
    };
    let result = match lines_from_form(&form) {
        Ok(lines) => {
            draft.lines = lines;
            ledger::post_entry(&state.app, &actor, &draft).await
        }
        Err(fields) => Err(AppError::Invalid(fields)),
    };
    match result {
        Ok((id, _)) => {
            let to = format!("/accounting/journal/{id}");
            redirect_with_flash(&state, &who, &to, "flash-entry-posted").await
        }
        Err(e) => {
            let i18n = I18n::new(actor.locale);
            let Some((status, errors)) = form_errors(&i18n, &e, "lines") else {
                return fail(&who, &e);
            };
            entry_form(&state, &who, &actor, draft, status, errors).await
        }
    }
}

/// A line of a posted entry, ready to show.
pub struct LineView {
    pub code: String,
    pub name: String,
    pub debit: String,
    pub credit: String,
}

#[derive(Template)]
#[template(path = "ledger_entry.html")]
struct EntryPage {
    page: Page,
    entry: EntryView,
    currency: String,
    posted_by: String,
    posted_at: String,
    lines: Vec<LineView>,
    total: String,
    /// The entry this one reverses: (id, number).
    reverses: Option<(i64, String)>,
    /// The entry that reversed this one: (id, number).
    reversed_by: Option<(i64, String)>,
    may_reverse: bool,
    reverse_date: String,
    errors: Errors,
}

fn amount_or_blank(i18n: &I18n, minor: i64, currency: &str) -> String {
    if minor == 0 {
        String::new()
    } else {
        i18n.money(minor, currency)
    }
}

/// The entry page; `reverse_date` and `err` refill the reverse form after a refusal.
async fn entry_page(
    state: &AppState,
    who: &Who,
    actor: &Actor,
    id: i64,
    reverse_date: String,
    err: Option<&AppError>,
) -> Response {
    let detail: EntryDetail = match ledger::entry(&state.app, actor, id).await {
        Ok(d) => d,
        Err(e) => return fail(who, &e),
    };
    let reverses = match detail.entry.reverses_id {
        Some(original) => match ledger::entry(&state.app, actor, original).await {
            Ok(o) => Some((original, o.entry.number)),
            Err(e) => return fail(who, &e),
        },
        None => None,
    };
    let mut page = Page::new(state, who, "ledger-entry-title", NAV_PATH).await;
    let i18n = page.i18n;
    page.title = i18n.t1("ledger-entry-heading", "number", &detail.entry.number);
    let (status, errors) = match outcome(&i18n, err, "form") {
        Ok(shown) => shown,
        Err(e) => return fail(who, e),
    };
    let e = &detail.entry;
    let lines = detail
        .lines
        .iter()
        .map(|l| LineView {
            code: l.account_code.clone(),
            name: l.account_name.clone(),
            debit: amount_or_blank(&i18n, l.debit_minor, &e.currency),
            credit: amount_or_blank(&i18n, l.credit_minor, &e.currency),
        })
        .collect();
    let reversed_by = detail
        .reversed_by
        .as_ref()
        .map(|r| (r.id, r.number.clone()));
    let may_reverse =
        actor.may(Permission::LedgerPost) && reversed_by.is_none() && e.reverses_id.is_none();
    let template = EntryPage {
        entry: EntryView::new(&i18n, e),
        currency: e.currency.clone(),
        posted_by: e.posted_by.clone(),
        posted_at: i18n.timestamp(&e.posted_at_us, &page.time_zone),
        lines,
        total: i18n.money(e.total_minor, &e.currency),
        reverses,
        reversed_by,
        may_reverse,
        reverse_date,
        errors,
        page,
    };
    render(status, &template)
}

pub async fn entry(
    State(state): State<AppState>,
    Requester(who): Requester,
    CurrentActor(actor): CurrentActor,
    IdPath(id): IdPath,
) -> Response {
    let date = today(&actor.time_zone).to_string();
    entry_page(&state, &who, &actor, id, date, None).await
}

pub async fn reverse_entry(
    State(state): State<AppState>,
    Requester(who): Requester,
    CurrentActor(actor): CurrentActor,
    IdPath(id): IdPath,
    form: FormData,
) -> Response {
    let date = form.get("date").to_owned();
    match ledger::reverse_entry(&state.app, &actor, id, &date).await {
        Ok((reversal, _)) => {
            let to = format!("/accounting/journal/{reversal}");
            redirect_with_flash(&state, &who, &to, "flash-entry-reversed").await
        }
        Err(e) => entry_page(&state, &who, &actor, id, date, Some(&e)).await,
    }
}

#[derive(Template)]
#[template(path = "ledger_periods.html")]
struct PeriodsPage {
    page: Page,
    here: &'static str,
    periods: Vec<String>,
    may_admin: bool,
    period: String,
    errors: Errors,
}

/// The month to offer for closing: the one after the newest closed month, or
/// last month when none is closed; empty when every finished month is closed.
fn next_period(closed: &[String], time_zone: &str) -> String {
    let last_month = today(time_zone).first_of_month().yesterday().ok();
    let after_newest = closed
        .iter()
        .max()
        .and_then(|p| seam_domain::ledger::Date::parse(&format!("{p}-01")))
        .and_then(|d| jiff::civil::Date::new(d.year, d.month, 1).ok())
        .and_then(|d| d.last_of_month().tomorrow().ok());
    let month = |d: jiff::civil::Date| d.strftime("%Y-%m").to_string();
    match (after_newest, last_month) {
        (Some(next), Some(last)) if next <= last => month(next),
        (Some(_), _) => String::new(),
        (None, last) => last.map(month).unwrap_or_default(),
    }
}

/// The closed periods with the close form; `period` and `err` refill the form after a refusal.
async fn periods_page(
    state: &AppState,
    who: &Who,
    actor: &Actor,
    period: Option<String>,
    err: Option<&AppError>,
) -> Response {
    let periods = match ledger::closed_periods(&state.app, actor).await {
        Ok(p) => p,
        Err(e) => return fail(who, &e),
    };
    let page = Page::new(state, who, "ledger-periods-title", NAV_PATH).await;
    let (status, errors) = match outcome(&page.i18n, err, "period") {
        Ok(shown) => shown,
        Err(e) => return fail(who, e),
    };
    let period = period.unwrap_or_else(|| next_period(&periods, &actor.time_zone));
    render(
        status,
        &PeriodsPage {
            page,
            here: "periods",
            // Newest first: the month closed last is the one people check.
            periods: periods.into_iter().rev().collect(),
            may_admin: actor.may(Permission::LedgerAdmin),
            period,
            errors,
        },
    )
}

pub async fn periods(
    State(state): State<AppState>,
    Requester(who): Requester,
    CurrentActor(actor): CurrentActor,
) -> Response {
    periods_page(&state, &who, &actor, None, None).await
}

pub async fn close_period(
    State(state): State<AppState>,
    Requester(who): Requester,
    CurrentActor(actor): CurrentActor,
    form: FormData,
) -> Response {
    let period = form.get("period").to_owned();
    match ledger::close_period(&state.app, &actor, &period).await {
        Ok(()) => {
            redirect_with_flash(&state, &who, "/accounting/periods", "flash-period-closed").await
        }
        Err(e) => periods_page(&state, &who, &actor, Some(period), Some(&e)).await,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_month_offered_for_closing_follows_the_newest_closed_one() {
        let closed = vec!["2020-11".to_owned(), "2020-12".to_owned()];
        assert_eq!(next_period(&closed, "UTC"), "2021-01");
        assert_eq!(
            next_period(&["9998-12".to_owned()], "UTC"),
            "",
            "a month not yet over is never offered"
        );
        let last_month = today("UTC").first_of_month().yesterday().unwrap();
        assert_eq!(
            next_period(&[], "Europe/Stockholm").len(),
            "2026-10".len(),
            "with nothing closed, last month ({last_month}) is offered"
        );
    }

    #[test]
    fn form_lines_are_read_by_index_and_too_many_are_refused() {
        let form = FormData(vec![
            ("lines[2].debit".into(), "5".into()),
            ("lines[0].account".into(), "1000".into()),
            ("lines[x].account".into(), "ignored".into()),
            ("date".into(), "2026-11-23".into()),
        ]);
        let lines = lines_from_form(&form).unwrap();
        assert_eq!(lines.len(), 3);
        assert_eq!(lines[0].account, "1000");
        assert_eq!(lines[2].debit, "5");
        let too_many = FormData(vec![(
            format!("lines[{ENTRY_LINES_MAX}].debit"),
            "1".into(),
        )]);
        assert_eq!(
            lines_from_form(&too_many).unwrap_err().for_field("lines"),
            Some("error-entry-too-many-lines")
        );
    }
}
