//! The ledger: the chart of accounts, posting balanced journal entries (never
//! changed afterwards; corrected by reversal), closing periods, and the
//! reports, which read maintained balances rather than rescanning history.

use std::collections::{BTreeMap, HashMap};

use seam_domain::FieldErrors;
use seam_domain::access::Permission;
use seam_domain::ledger::{
    self, AccountDraft, AccountKind, BalancedEntry, Date, EntryDraft, ValidLine,
};
use seam_store::ledger as store;
pub use seam_store::ledger::{AccountRow, BalanceRow, EntryRow, LineRow};
use seam_store::{StoreError, Tx};
use serde_json::json;

use crate::{Actor, App, AppError, AppResult, Change, now_us, record};

/// Creates an account. Needs `ledger.admin`.
pub async fn create_account(app: &App, actor: &Actor, draft: &AccountDraft) -> AppResult<i64> {
    actor.require(Permission::LedgerAdmin)?;
    let account = ledger::validate_account(draft)?;
    let mut tx = app.db.begin().await?;
    let id = match store::insert_account(&mut tx, &account, now_us()).await {
        Err(StoreError::Duplicate) => {
            return Err(AppError::Invalid(FieldErrors::one(
                "code",
                "error-account-code-taken",
            )));
        }
        other => other?,
    };
    let after = json!({ "code": account.code, "name": account.name, "kind": account.kind.name() });
    record(
        &mut tx,
        actor,
        Change {
            entity_type: "account",
            entity_id: id.to_string(),
            action: "create",
            before: None,
            after: Some(after),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// Renames or archives an account (an archived account takes no new postings). Needs `ledger.admin`.
pub async fn update_account(
    app: &App,
    actor: &Actor,
    id: i64,
    name: &str,
    archived: bool,
) -> AppResult<()> {
    actor.require(Permission::LedgerAdmin)?;
    let name = name.trim();
    if name.is_empty() {
        return Err(AppError::Invalid(FieldErrors::one(
            "name",
            "error-required",
        )));
    }
    let mut tx = app.db.begin().await?;
    let before = store::account_in_tx(&mut tx, id).await?;
    store::update_account(&mut tx, id, name, archived).await?;
    let change = Change {
        entity_type: "account",
        entity_id: id.to_string(),
        action: "update",
        before: Some(json!({ "name": before.name, "archived": before.archived })),
        after: Some(json!({ "name": name, "archived": archived })),
    };
    record(&mut tx, actor, change).await?;
    tx.commit().await?;
    Ok(())
}

/// The chart of accounts. Needs `ledger.read`.
pub async fn accounts(app: &App, actor: &Actor) -> AppResult<Vec<AccountRow>> {
    actor.require(Permission::LedgerRead)?;
    Ok(store::accounts(&app.db).await?)
}

/// What the journal keeps of an entry.
fn entry_json(number: &str, entry: &BalancedEntry) -> serde_json::Value {
    let lines: Vec<serde_json::Value> = entry
        .lines()
        .iter()
        .map(|l| json!({ "account": l.account, "debit_minor": l.debit_minor, "credit_minor": l.credit_minor }))
        .collect();
    json!({ "number": number, "date": entry.date().iso(), "memo": entry.memo(), "currency": entry.currency(), "lines": lines })
}

/// Looks up every account of the entry; unknown or archived ones are field errors on their lines.
async fn resolve_accounts(tx: &mut Tx, entry: &BalancedEntry) -> AppResult<HashMap<String, i64>> {
    let mut codes: Vec<String> = entry.lines().iter().map(|l| l.account.clone()).collect();
    codes.sort();
    codes.dedup();
    let found = store::accounts_by_code(tx, &codes).await?;
    let mut errors = FieldErrors::new();
    for (index, line) in entry.lines().iter().enumerate() {
        match found.get(&line.account) {
            None => errors.add(&format!("lines[{index}].account"), "error-unknown-account"),
            Some(a) if a.archived => {
                errors.add(&format!("lines[{index}].account"), "error-account-archived")
            }
            Some(_) => {}
        }
    }
    errors.into_result(())?;
    Ok(found
        .into_iter()
        .map(|(code, row)| (code, row.id))
        .collect())
}

/// Writes a balanced entry under the next number of its year's series,
/// inside the caller's transaction (other modules post through here too).
pub(crate) async fn post(
    tx: &mut Tx,
    actor: &Actor,
    entry: &BalancedEntry,
    reverses_id: Option<i64>,
) -> AppResult<(i64, String)> {
    store::lock_period(tx, &entry.date().period(), false).await?;
    if store::is_period_closed(tx, &entry.date().period()).await? {
        return Err(AppError::Invalid(FieldErrors::one(
            "date",
            "error-period-closed",
        )));
    }
    let account_ids = resolve_accounts(tx, entry).await?;
    let year = entry.date().year;
    let sequence = store::next_number(tx, &format!("JE-{year}")).await?;
    let number = format!("JE-{year}-{sequence:06}");
    let posting = store::Posting {
        number: &number,
        account_ids: &account_ids,
        reverses_id,
        posted_by: &actor.username,
        now_us: now_us(),
    };
    let id = store::insert_entry(tx, entry, &posting).await?;
    let action = if reverses_id.is_some() {
        "reverse"
    } else {
        "post"
    };
    record(
        tx,
        actor,
        Change {
            entity_type: "journal_entry",
            entity_id: id.to_string(),
            action,
            before: None,
            after: Some(entry_json(&number, entry)),
        },
    )
    .await?;
    Ok((id, number))
}

/// Posts a journal entry. Needs `ledger.post`.
///
/// Errors: [`AppError::Invalid`] naming the field: an unbalanced entry, a bad
/// amount, an unknown or archived account, a date in a closed period.
pub async fn post_entry(app: &App, actor: &Actor, draft: &EntryDraft) -> AppResult<(i64, String)> {
    actor.require(Permission::LedgerPost)?;
    let entry = ledger::validate_entry(draft)?;
    let mut tx = app.db.begin().await?;
    let posted = post(&mut tx, actor, &entry, None).await?;
    tx.commit().await?;
    Ok(posted)
}

/// Undoes a posted entry with a new entry whose every line has its sides
/// swapped. The original stays as it was. Needs `ledger.post`.
///
/// Errors: [`AppError::Conflict`] when the entry was reversed already or is itself a reversal.
pub async fn reverse_entry(
    app: &App,
    actor: &Actor,
    id: i64,
    date: &str,
) -> AppResult<(i64, String)> {
    actor.require(Permission::LedgerPost)?;
    let date = Date::parse(date)
        .ok_or_else(|| AppError::Invalid(FieldErrors::one("date", "error-date")))?;
    let (original, lines) = store::entry(&app.db, id).await?.ok_or(AppError::NotFound)?;
    if original.reverses_id.is_some() {
        return Err(AppError::Conflict("error-reverse-reversal"));
    }
    if store::reversal_of(&app.db, id).await?.is_some() {
        return Err(AppError::Conflict("error-already-reversed"));
    }
    let stored_date = Date::parse(&original.entry_date)
        .ok_or_else(|| AppError::Internal(anyhow::anyhow!("entry {id} has a bad date")))?;
    let lines = lines
        .into_iter()
        .map(|l| ValidLine {
            account: l.account_code,
            debit_minor: l.debit_minor,
            credit_minor: l.credit_minor,
        })
        .collect();
    let stored = BalancedEntry::from_stored(
        stored_date,
        original.memo.clone(),
        original.currency.clone(),
        lines,
    )
    .map_err(|_| AppError::Internal(anyhow::anyhow!("stored entry {id} does not balance")))?;
    let reversal = stored.reversal(date, format!("Reversal of {}", original.number));
    let mut tx = app.db.begin().await?;
    // The unique constraint on reverses_id settles a race between two reversals.
    let posted = match post(&mut tx, actor, &reversal, Some(id)).await {
        Err(AppError::Conflict("error-duplicate")) => {
            return Err(AppError::Conflict("error-already-reversed"));
        }
        other => other?,
    };
    tx.commit().await?;
    Ok(posted)
}

/// An entry with its lines and, if reversed, the reversing entry.
#[derive(Debug, Clone)]
pub struct EntryDetail {
    pub entry: EntryRow,
    pub lines: Vec<LineRow>,
    pub reversed_by: Option<EntryRow>,
}

pub async fn entry(app: &App, actor: &Actor, id: i64) -> AppResult<EntryDetail> {
    actor.require(Permission::LedgerRead)?;
    let (entry, lines) = store::entry(&app.db, id).await?.ok_or(AppError::NotFound)?;
    let reversed_by = store::reversal_of(&app.db, id).await?;
    Ok(EntryDetail {
        entry,
        lines,
        reversed_by,
    })
}

/// Entries newest first, a page at a time (`before` is the last id seen). Needs `ledger.read`.
pub async fn entries(
    app: &App,
    actor: &Actor,
    before: Option<i64>,
    limit: i64,
) -> AppResult<Vec<EntryRow>> {
    actor.require(Permission::LedgerRead)?;
    Ok(store::entries(&app.db, before, limit).await?)
}

/// Closes a period (`YYYY-MM`): nothing can be posted into it afterwards. Needs `ledger.admin`.
pub async fn close_period(app: &App, actor: &Actor, period: &str) -> AppResult<()> {
    actor.require(Permission::LedgerAdmin)?;
    let period = ledger::parse_period(period)
        .ok_or_else(|| AppError::Invalid(FieldErrors::one("period", "error-period")))?;
    let mut tx = app.db.begin().await?;
    store::lock_period(&mut tx, &period, true).await?;
    match store::close_period(&mut tx, &period, &actor.username, now_us()).await {
        Err(StoreError::Duplicate) => {
            return Err(AppError::Conflict("error-period-already-closed"));
        }
        other => other?,
    }
    record(
        &mut tx,
        actor,
        Change {
            entity_type: "period",
            entity_id: period.clone(),
            action: "close",
            before: None,
            after: None,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

pub async fn closed_periods(app: &App, actor: &Actor) -> AppResult<Vec<String>> {
    actor.require(Permission::LedgerRead)?;
    Ok(store::closed_periods(&app.db).await?)
}

/// One account's line in a report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportLine {
    pub code: String,
    pub name: String,
    pub kind: AccountKind,
    pub currency: String,
    pub debit_minor: i64,
    pub credit_minor: i64,
}

impl ReportLine {
    /// Debit minus credit.
    pub fn net_minor(&self) -> i64 {
        self.debit_minor - self.credit_minor
    }

    /// The balance on the account's normal side: positive when an asset holds
    /// value, a liability is owed, revenue was earned.
    pub fn normal_minor(&self) -> i64 {
        if self.kind.debit_normal() {
            self.net_minor()
        } else {
            -self.net_minor()
        }
    }
}

/// Totals of a report, per currency.
pub type Totals = BTreeMap<String, i64>;

fn report_lines(rows: Vec<BalanceRow>) -> AppResult<Vec<ReportLine>> {
    rows.into_iter()
        .map(|r| {
            let kind = AccountKind::parse(&r.kind).ok_or_else(|| {
                AppError::Internal(anyhow::anyhow!("account {} has kind {}", r.code, r.kind))
            })?;
            Ok(ReportLine {
                code: r.code,
                name: r.name,
                kind,
                currency: r.currency,
                debit_minor: r.debit_minor,
                credit_minor: r.credit_minor,
            })
        })
        .filter(|l: &AppResult<ReportLine>| {
            l.as_ref()
                .map_or(true, |l| l.debit_minor != 0 || l.credit_minor != 0)
        })
        .collect()
}

fn parse_date(field: &str, text: &str) -> AppResult<Date> {
    Date::parse(text).ok_or_else(|| AppError::Invalid(FieldErrors::one(field, "error-date")))
}

/// The trial balance at the end of `at`: every account's debits and credits.
#[derive(Debug, Clone)]
pub struct TrialBalance {
    pub at: Date,
    pub lines: Vec<ReportLine>,
    pub debit_totals: Totals,
    pub credit_totals: Totals,
}

/// Needs `ledger.read`. The totals of debits and credits are checked to agree
/// per currency; a difference is a programmer error and fails the request.
pub async fn trial_balance(app: &App, actor: &Actor, at: &str) -> AppResult<TrialBalance> {
    actor.require(Permission::LedgerRead)?;
    let at = parse_date("at", at)?;
    let lines = report_lines(store::balances(&app.db, None, &at.iso()).await?)?;
    let mut debit_totals = Totals::new();
    let mut credit_totals = Totals::new();
    for l in &lines {
        *debit_totals.entry(l.currency.clone()).or_default() += l.debit_minor;
        *credit_totals.entry(l.currency.clone()).or_default() += l.credit_minor;
    }
    if debit_totals != credit_totals {
        return Err(AppError::Internal(anyhow::anyhow!(
            "the trial balance does not balance: {debit_totals:?} vs {credit_totals:?}"
        )));
    }
    Ok(TrialBalance {
        at,
        lines,
        debit_totals,
        credit_totals,
    })
}

/// Revenue and expenses over a date range, and the result.
#[derive(Debug, Clone)]
pub struct ProfitAndLoss {
    pub from: Date,
    pub to: Date,
    pub revenue: Vec<ReportLine>,
    pub expenses: Vec<ReportLine>,
    /// Revenue minus expenses, per currency.
    pub result: Totals,
}

pub async fn profit_and_loss(
    app: &App,
    actor: &Actor,
    from: &str,
    to: &str,
) -> AppResult<ProfitAndLoss> {
    actor.require(Permission::LedgerRead)?;
    let (from, to) = (parse_date("from", from)?, parse_date("to", to)?);
    if from > to {
        return Err(AppError::Invalid(FieldErrors::one(
            "from",
            "error-date-range",
        )));
    }
    let lines = report_lines(store::balances(&app.db, Some(&from.iso()), &to.iso()).await?)?;
    let mut result = Totals::new();
    let (mut revenue, mut expenses) = (Vec::new(), Vec::new());
    for l in lines.into_iter().filter(|l| l.kind.is_result()) {
        *result.entry(l.currency.clone()).or_default() -= l.net_minor();
        if l.kind == AccountKind::Revenue {
            revenue.push(l)
        } else {
            expenses.push(l)
        }
    }
    Ok(ProfitAndLoss {
        from,
        to,
        revenue,
        expenses,
        result,
    })
}

/// What the business owns and owes at the end of a day.
#[derive(Debug, Clone)]
pub struct BalanceSheet {
    pub at: Date,
    pub assets: Vec<ReportLine>,
    pub liabilities: Vec<ReportLine>,
    pub equity: Vec<ReportLine>,
    /// Revenue minus expenses not yet closed into equity.
    pub earnings: Totals,
    pub total_assets: Totals,
    /// Liabilities, equity and earnings: equals the assets.
    pub total_claims: Totals,
}

pub async fn balance_sheet(app: &App, actor: &Actor, at: &str) -> AppResult<BalanceSheet> {
    actor.require(Permission::LedgerRead)?;
    let at = parse_date("at", at)?;
    let lines = report_lines(store::balances(&app.db, None, &at.iso()).await?)?;
    let mut sheet = BalanceSheet {
        at,
        assets: Vec::new(),
        liabilities: Vec::new(),
        equity: Vec::new(),
        earnings: Totals::new(),
        total_assets: Totals::new(),
        total_claims: Totals::new(),
    };
    for l in lines {
        let currency = l.currency.clone();
        match l.kind {
            AccountKind::Asset => {
                *sheet.total_assets.entry(currency).or_default() += l.normal_minor();
                sheet.assets.push(l);
            }
            AccountKind::Liability | AccountKind::Equity => {
                *sheet.total_claims.entry(currency).or_default() += l.normal_minor();
                if l.kind == AccountKind::Liability {
                    sheet.liabilities.push(l)
                } else {
                    sheet.equity.push(l)
                }
            }
            AccountKind::Revenue | AccountKind::Expense => {
                *sheet.earnings.entry(currency.clone()).or_default() -= l.net_minor();
                *sheet.total_claims.entry(currency).or_default() -= l.net_minor();
            }
        }
    }
    if sheet
        .total_assets
        .iter()
        .any(|(c, v)| sheet.total_claims.get(c).copied().unwrap_or(0) != *v)
    {
        return Err(AppError::Internal(anyhow::anyhow!(
            "the balance sheet does not balance"
        )));
    }
    Ok(sheet)
}

/// Plain-text journal formats an auditor's own tools read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JournalFormat {
    Hledger,
    Beancount,
}

fn account_name(format: JournalFormat, kind: &str, code: &str, name: &str) -> String {
    let root = match kind {
        "asset" => "Assets",
        "liability" => "Liabilities",
        "equity" => "Equity",
        "revenue" => "Income",
        _ => "Expenses",
    };
    match format {
        // hledger allows spaces in names (two spaces end the name).
        JournalFormat::Hledger => {
            format!("{}:{code} {}", root.to_lowercase(), name.replace("  ", " "))
        }
        // Beancount components start with a capital or a digit and hold no spaces.
        JournalFormat::Beancount => {
            let code: String = code
                .chars()
                .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
                .collect();
            format!("{root}:{code}")
        }
    }
}

fn quoted(text: &str) -> String {
    text.replace(['"', '\n', '\r'], " ")
}

/// The whole ledger as a plain-text journal (hledger or Beancount), so the
/// books can be checked with an independent tool. Needs `ledger.read`.
pub async fn export_journal(app: &App, actor: &Actor, format: JournalFormat) -> AppResult<String> {
    actor.require(Permission::LedgerRead)?;
    let mut out = String::new();
    if format == JournalFormat::Beancount {
        out.push_str("option \"operating_currency\" \"EUR\"\n");
        for a in store::accounts(&app.db).await? {
            out.push_str(&format!(
                "1970-01-01 open {}\n",
                account_name(format, &a.kind, &a.code, &a.name)
            ));
        }
        out.push('\n');
    }
    let mut after = 0;
    loop {
        let page = store::entries_with_lines_after(&app.db, after, 500).await?;
        let Some((last, _)) = page.last() else { break };
        after = last.id;
        for (entry, lines) in &page {
            match format {
                JournalFormat::Hledger => out.push_str(&format!(
                    "{} {} {}\n",
                    entry.entry_date,
                    entry.number,
                    quoted(&entry.memo)
                )),
                JournalFormat::Beancount => out.push_str(&format!(
                    "{} * \"{}\" \"{}\"\n",
                    entry.entry_date,
                    entry.number,
                    quoted(&entry.memo)
                )),
            }
            for l in lines {
                let amount = ledger::format_amount(l.debit_minor - l.credit_minor, &entry.currency);
                let account =
                    account_name(format, &l.account_kind, &l.account_code, &l.account_name);
                out.push_str(&format!("    {account}  {amount} {}\n", entry.currency));
            }
            out.push('\n');
        }
    }
    Ok(out)
}

/// Checks that the maintained balances equal the sums of the posted lines (for tests and `seam audit`).
pub async fn balances_agree_with_lines(app: &App, actor: &Actor) -> AppResult<bool> {
    actor.require(Permission::LedgerRead)?;
    let maintained = store::balances(&app.db, None, "9999-12-31").await?;
    let summed = store::balances_from_lines(&app.db).await?;
    Ok(maintained == summed)
}
