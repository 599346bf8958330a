//! Invoicing: invoices from what an order shipped, their posting to the
//! ledger, credit notes, payments and what they settle, and the documents
//! that go out (UBL, PDF).
//!
//! Posting is one transaction: the draft takes the next gapless number of
//! its series and year (`INV-2026-000042`), one balanced journal entry books
//! it in the company currency at the rate of its issue date — receivable
//! (1200) against revenue per account and output VAT (2100) per rate — and
//! the audit event is appended. A credit note posts the reverse, is booked at
//! the rate of the invoice it corrects, and settles that invoice; what it
//! credits beyond what was still due becomes the customer's credit balance
//! (2300). A payment is booked at the rate of its date; it settles invoices
//! (named, or the oldest due first) at the rate each was booked at, the
//! difference is the realised exchange gain (4900) or loss (6900), and what
//! it does not settle is the customer's credit balance.
//!
//! Company-currency amounts of part-settlements telescope: settling `x` of
//! an invoice moves `c(settled + x) − c(settled)` out of receivables, where
//! `c` converts at the invoice's rate, so an invoice settled in full has
//! cleared exactly what it booked.

use std::collections::{BTreeMap, HashMap};

use seam_domain::FieldErrors;
use seam_domain::access::Permission;
use seam_domain::ids::SalesOrderId;
use seam_domain::invoice::{
    self as rules, AgingBucket, DocumentKind, DocumentLine, DocumentParty, DocumentVat,
    IllegalTransition, InvoiceDocument, InvoiceState, RATE_SCALE,
};
use seam_domain::ledger::{BalancedEntry, Date, ValidLine, parse_amount, parse_currency};
use seam_domain::locale::minor_digits;
use seam_domain::sales::{VatBreakdown, line_field, totals};
use seam_store::Tx;
use seam_store::invoices as store;
pub use seam_store::invoices::{
    AllocationRow, InvoiceFilter, InvoiceLineRow, InvoiceRow, PartyBalance, PaymentRow, RateRow,
    StatementRow,
};
use seam_store::sales as order_store;
use seam_store::shipments as shipment_store;
use serde_json::json;

use crate::sales::state_of;
use crate::{Actor, App, AppError, AppResult, Change, company, now_us, record, today};

/// The receivables account.
pub const RECEIVABLE_ACCOUNT: &str = "1200";
/// Output VAT.
pub const VAT_ACCOUNT: &str = "2100";
/// What customers paid or were credited beyond what they owed.
pub const CUSTOMER_CREDIT_ACCOUNT: &str = "2300";
/// Where payments arrive unless another account is named.
pub const BANK_ACCOUNT: &str = "1100";
/// Realised exchange gains.
pub const FX_GAIN_ACCOUNT: &str = "4900";
/// Realised exchange losses.
pub const FX_LOSS_ACCOUNT: &str = "6900";
/// The payment number series prefix: `PAY-2026-000001`.
pub const PAYMENT_PREFIX: &str = "PAY";
/// The longest note or payment reference.
pub const NOTE_CHARS_MAX: usize = 500;
/// The most allocations one payment may carry.
pub const ALLOCATIONS_MAX: usize = 200;

fn illegal(_: IllegalTransition) -> AppError {
    AppError::Conflict(IllegalTransition::CODE)
}

/// The state stored on a row.
pub fn state_of_invoice(row: &InvoiceRow) -> InvoiceState {
    InvoiceState::parse(&row.state).unwrap_or(InvoiceState::Cancelled)
}

/// The kind stored on a row.
pub fn kind_of(row: &InvoiceRow) -> DocumentKind {
    DocumentKind::parse(&row.kind).unwrap_or(DocumentKind::Invoice)
}

/// The number a list shows: the posted number, or `draft #id`.
pub fn display_number(row: &InvoiceRow) -> String {
    row.number
        .clone()
        .unwrap_or_else(|| format!("draft #{}", row.id))
}

/// Converts `minor` of `from` into the company currency `to` at `rate`.
fn to_company(minor: i64, rate: i64, from: &str, to: &str) -> i64 {
    rules::convert(minor, rate, minor_digits(from), minor_digits(to))
}

/// What settling `amount` more of `row` moves out of receivables, in the
/// company currency (see the module docs on telescoping).
fn settled_company(row: &InvoiceRow, amount: i64, company: &str) -> i64 {
    let at = |settled: i64| to_company(settled, row.rate_e9, &row.currency, company);
    at(row.settled_minor + amount) - at(row.settled_minor)
}

/// What is still due of `row`, in the company currency at its booked rate.
pub fn due_company(
    row_total: i64,
    row_due: i64,
    total_company: i64,
    rate: i64,
    currency: &str,
    company: &str,
) -> i64 {
    total_company - to_company(row_total - row_due, rate, currency, company)
}

/// The rate of `currency` on `date` in [`RATE_SCALE`] units: one for the
/// company currency, else the latest rate set on or before the date.
async fn rate_on(tx: &mut Tx, currency: &str, company: &str, date: &str) -> AppResult<i64> {
    if currency == company {
        return Ok(RATE_SCALE);
    }
    match store::rate_on_in_tx(tx, currency, date).await? {
        Some((_, rate)) => Ok(rate),
        None => Err(AppError::Invalid(FieldErrors::one(
            "currency",
            "error-rate-missing",
        ))),
    }
}

fn parse_date_or_today(text: &str, field: &str, errors: &mut FieldErrors) -> Option<Date> {
    let date = match text.trim() {
        "" => Some(today()),
        text => Date::parse(text),
    };
    if date.is_none() {
        errors.add(field, "error-date");
    }
    date
}

fn check_note(text: &str, field: &str, errors: &mut FieldErrors) -> String {
    let text = text.trim();
    if text.chars().count() > NOTE_CHARS_MAX {
        errors.add(field, "error-too-long");
    }
    text.to_owned()
}

/// How an invoice is dated and when it falls due.
#[derive(Debug, Clone, Default)]
pub struct InvoiceInput {
    /// `YYYY-MM-DD`; empty for today.
    pub issue_date: String,
    /// Days until due; empty for [`rules::DEFAULT_TERMS_DAYS`].
    pub terms_days: String,
    pub note: String,
}

fn invoice_json(row: &InvoiceRow) -> serde_json::Value {
    json!({
        "kind": row.kind,
        "number": row.number,
        "state": row.state,
        "party_id": row.party_id,
        "order": row.order_number,
        "credited_invoice": row.credited_invoice_number,
        "issue_date": row.issue_date,
        "due_date": row.due_date,
        "currency": row.currency,
        "net_minor": row.net_minor,
        "vat_minor": row.vat_minor,
        "total_minor": row.total_minor,
        "settled_minor": row.settled_minor,
    })
}

/// Drafts an invoice for what a confirmed or shipped order has delivered and
/// not yet invoiced: shipped quantities of goods, ordered quantities of
/// services. Needs `invoices.write`.
///
/// Errors: [`AppError::Invalid`] naming `issue_date`, `terms_days`, `note`,
/// or `lines` (`error-invoice-nothing` when nothing is left to invoice,
/// `error-invoice-zero` when it would total nothing);
/// [`AppError::Conflict`] with `error-order-state` for a draft or cancelled
/// order. Nothing is written on any error.
pub async fn invoice_order(
    app: &App,
    actor: &Actor,
    order_id: SalesOrderId,
    input: &InvoiceInput,
) -> AppResult<i64> {
    actor.require(Permission::InvoicesWrite)?;
    let mut errors = FieldErrors::new();
    let issue = parse_date_or_today(&input.issue_date, "issue_date", &mut errors);
    let terms = match input.terms_days.trim() {
        "" => Some(rules::DEFAULT_TERMS_DAYS),
        text => text
            .parse::<i64>()
            .ok()
            .filter(|d| (0..=rules::TERMS_DAYS_MAX).contains(d)),
    };
    if terms.is_none() {
        errors.add("terms_days", "error-terms-days");
    }
    let note = check_note(&input.note, "note", &mut errors);
    let due = issue.zip(terms).and_then(|(d, t)| rules::due_date(d, t));
    let (Some(issue), Some(due)) = (issue, due) else {
        return Err(AppError::Invalid(errors));
    };
    errors.into_result(())?;

    let mut tx = app.db.begin().await?;
    let order = order_store::order_in_tx(&mut tx, order_id.0).await?;
    let state = state_of(&order);
    if !matches!(
        state,
        seam_domain::sales::OrderState::Confirmed | seam_domain::sales::OrderState::Shipped
    ) {
        return Err(AppError::Conflict(
            seam_domain::sales::IllegalTransition::CODE,
        ));
    }
    let lines = order_store::lines_in_tx(&mut tx, order.id).await?;
    let shipped: HashMap<i64, i64> = shipment_store::shipped_qty_in_tx(&mut tx, order.id)
        .await?
        .into_iter()
        .collect();
    let invoiced: HashMap<i64, i64> = store::invoiced_qty_in_tx(&mut tx, order.id)
        .await?
        .into_iter()
        .collect();
    let product_ids: Vec<i64> = lines.iter().map(|l| l.product_id).collect();
    let billing: HashMap<i64, (String, String)> = store::product_billing(&mut tx, &product_ids)
        .await?
        .into_iter()
        .map(|(id, unit, account)| (id, (unit, account)))
        .collect();
    let mut new_lines = Vec::new();
    for line in &lines {
        let delivered = if line.kind == "goods" {
            shipped.get(&line.line_no).copied().unwrap_or(0)
        } else {
            line.qty
        };
        let qty = delivered - invoiced.get(&line.line_no).copied().unwrap_or(0);
        if qty <= 0 {
            continue;
        }
        let (unit, account) = billing
            .get(&line.product_id)
            .cloned()
            .ok_or(AppError::NotFound)?;
        new_lines.push(store::NewInvoiceLine {
            order_line_no: Some(line.line_no),
            product_id: line.product_id,
            description: line.description.clone(),
            qty,
            unit_code: unit,
            unit_price_minor: line.unit_price_minor,
            tax_rate_code: line.tax_rate_code.clone(),
            vat_basis_points: line.vat_basis_points,
            line_net_minor: qty * line.unit_price_minor,
            revenue_account_code: account,
        });
    }
    if new_lines.is_empty() {
        return Err(AppError::Invalid(FieldErrors::one(
            "lines",
            "error-invoice-nothing",
        )));
    }
    let draft = Draft {
        kind: DocumentKind::Invoice,
        party_id: order.party_id,
        order_id: Some(order.id),
        credited_invoice_id: None,
        issue,
        due,
        currency: &order.currency,
        note: &note,
    };
    insert_draft(tx, actor, &draft, &new_lines).await
}

/// A draft's header as the two ways of drafting give it.
struct Draft<'a> {
    kind: DocumentKind,
    party_id: i64,
    order_id: Option<i64>,
    credited_invoice_id: Option<i64>,
    issue: Date,
    due: Date,
    currency: &'a str,
    note: &'a str,
}

/// Writes a draft with its totals (refusing one that totals nothing) and
/// its audit event, and commits.
async fn insert_draft(
    mut tx: Tx,
    actor: &Actor,
    draft: &Draft<'_>,
    lines: &[store::NewInvoiceLine],
) -> AppResult<i64> {
    let sums = totals(lines.iter().map(|l| {
        (
            l.line_net_minor,
            l.tax_rate_code.as_str(),
            l.vat_basis_points,
        )
    }));
    if sums.total_minor == 0 {
        return Err(AppError::Invalid(FieldErrors::one(
            "lines",
            "error-invoice-zero",
        )));
    }
    let id = store::insert_invoice(
        &mut tx,
        &store::NewInvoice {
            kind: draft.kind.name(),
            party_id: draft.party_id,
            order_id: draft.order_id,
            credited_invoice_id: draft.credited_invoice_id,
            issue_date: &draft.issue.iso(),
            due_date: &draft.due.iso(),
            currency: draft.currency,
            net_minor: sums.net_minor,
            vat_minor: sums.vat_minor,
            note: draft.note,
            created_by: &actor.username,
            now_us: now_us(),
        },
        lines,
    )
    .await?;
    let row = store::invoice_in_tx(&mut tx, id).await?;
    record(
        &mut tx,
        actor,
        Change {
            entity_type: "invoice",
            entity_id: id.to_string(),
            action: "create",
            before: None,
            after: Some(invoice_json(&row)),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// Which lines a credit note credits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CreditLines {
    /// Everything on the invoice not credited yet.
    Remaining,
    /// These `(invoice line_no, qty)`; errors name `lines[n].qty` by position from 1.
    These(Vec<(i64, i64)>),
}

/// A credit note to draft.
#[derive(Debug, Clone)]
pub struct CreditInput {
    pub lines: CreditLines,
    /// `YYYY-MM-DD`; empty for today.
    pub issue_date: String,
    /// Why the invoice is corrected; printed on the credit note.
    pub reason: String,
}

/// Drafts a credit note against a posted invoice, for all or some of its
/// quantities not credited yet. Needs `invoices.write`.
///
/// Errors: [`AppError::Invalid`] naming `lines[n].qty` (`error-credit-too-much`,
/// `error-qty-positive`), `lines[n].line_no` (`error-unknown-invoice-line`),
/// `lines` (`error-credit-nothing`), `issue_date` or `reason`;
/// [`AppError::Conflict`] with `error-invoice-state` unless the invoice is
/// posted or paid. Nothing is written on any error.
pub async fn credit_invoice(
    app: &App,
    actor: &Actor,
    invoice_id: i64,
    input: &CreditInput,
) -> AppResult<i64> {
    actor.require(Permission::InvoicesWrite)?;
    let mut errors = FieldErrors::new();
    let issue = parse_date_or_today(&input.issue_date, "issue_date", &mut errors);
    let reason = check_note(&input.reason, "reason", &mut errors);
    let mut tx = app.db.begin().await?;
    let invoice = store::invoice_in_tx(&mut tx, invoice_id).await?;
    if kind_of(&invoice) != DocumentKind::Invoice {
        return Err(AppError::Conflict(IllegalTransition::CODE));
    }
    state_of_invoice(&invoice).credit().map_err(illegal)?;
    let lines = store::lines_in_tx(&mut tx, invoice.id).await?;
    let credited: HashMap<i64, i64> = store::credited_in_tx(&mut tx, invoice.id)
        .await?
        .into_iter()
        .map(|(no, qty, _)| (no, qty))
        .collect();
    let left = |no: i64, qty: i64| qty - credited.get(&no).copied().unwrap_or(0);
    let by_no: HashMap<i64, &InvoiceLineRow> = lines.iter().map(|l| (l.line_no, l)).collect();
    let wanted: Vec<(i64, i64)> = match &input.lines {
        CreditLines::Remaining => lines
            .iter()
            .map(|l| (l.line_no, left(l.line_no, l.qty)))
            .filter(|(_, q)| *q > 0)
            .collect(),
        CreditLines::These(these) => {
            let mut seen: BTreeMap<i64, i64> = BTreeMap::new();
            for (i, (no, qty)) in these.iter().enumerate() {
                let n = i + 1;
                let already = seen.entry(*no).or_insert(0);
                match by_no.get(no) {
                    None => errors.add(&line_field(n, "line_no"), "error-unknown-invoice-line"),
                    Some(_) if *qty <= 0 => errors.add(&line_field(n, "qty"), "error-qty-positive"),
                    Some(l) if *qty + *already > left(l.line_no, l.qty) => {
                        errors.add(&line_field(n, "qty"), "error-credit-too-much")
                    }
                    Some(_) => *already += qty,
                }
            }
            seen.into_iter().filter(|(_, q)| *q > 0).collect()
        }
    };
    if wanted.is_empty() && errors.is_empty() {
        errors.add("lines", "error-credit-nothing");
    }
    let Some(issue) = issue else {
        return Err(AppError::Invalid(errors));
    };
    errors.into_result(())?;
    let new_lines: Vec<store::NewInvoiceLine> = wanted
        .iter()
        .filter_map(|(no, qty)| {
            by_no.get(no).map(|l| store::NewInvoiceLine {
                order_line_no: Some(*no),
                product_id: l.product_id,
                description: l.description.clone(),
                qty: *qty,
                unit_code: l.unit_code.clone(),
                unit_price_minor: l.unit_price_minor,
                tax_rate_code: l.tax_rate_code.clone(),
                vat_basis_points: l.vat_basis_points,
                line_net_minor: qty * l.unit_price_minor,
                revenue_account_code: l.revenue_account_code.clone(),
            })
        })
        .collect();
    let draft = Draft {
        kind: DocumentKind::CreditNote,
        party_id: invoice.party_id,
        order_id: invoice.order_id,
        credited_invoice_id: Some(invoice.id),
        issue,
        due: issue,
        currency: &invoice.currency,
        note: &reason,
    };
    insert_draft(tx, actor, &draft, &new_lines).await
}

/// A document posted: its number, its journal entry's number and its state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Posted {
    pub id: i64,
    pub number: String,
    pub entry_number: String,
    pub state: InvoiceState,
}

/// The journal lines of a document: revenue per account and VAT per rate in
/// the company currency, the counter side left to the caller. Revenue
/// absorbs the rounding so the lines sum to `c(total)` exactly.
fn revenue_and_vat(
    lines: &[InvoiceLineRow],
    row: &InvoiceRow,
    rate: i64,
    company: &str,
) -> (i64, Vec<(String, i64)>) {
    let c = |minor: i64| to_company(minor, rate, &row.currency, company);
    let total_company = c(row.total_minor);
    let sums = totals(lines.iter().map(|l| {
        (
            l.line_net_minor,
            l.tax_rate_code.as_str(),
            l.vat_basis_points,
        )
    }));
    let mut out: Vec<(String, i64)> = Vec::new();
    let mut by_account: BTreeMap<&str, i64> = BTreeMap::new();
    for l in lines {
        *by_account
            .entry(l.revenue_account_code.as_str())
            .or_insert(0) += l.line_net_minor;
    }
    for (account, net) in by_account {
        out.push((account.to_owned(), c(net)));
    }
    for b in &sums.breakdown {
        if b.vat_minor != 0 {
            out.push((VAT_ACCOUNT.to_owned(), c(b.vat_minor)));
        }
    }
    let booked: i64 = out.iter().map(|(_, m)| m).sum();
    if let Some(first) = out.first_mut() {
        first.1 += total_company - booked;
    }
    (
        total_company,
        out.into_iter().filter(|(_, m)| *m != 0).collect(),
    )
}

/// Posts a draft invoice or credit note: number, journal entry, and for a
/// credit note the settlement of the invoice it corrects. Needs
/// `invoices.post`.
///
/// Errors: [`AppError::Conflict`] with `error-invoice-state` unless a draft
/// (or, for a credit note, unless its invoice is still posted or paid);
/// [`AppError::Invalid`] naming `issue_date` (`error-period-closed`) or
/// `currency` (`error-rate-missing`). Nothing is written on any error.
pub async fn post_invoice(app: &App, actor: &Actor, id: i64) -> AppResult<Posted> {
    actor.require(Permission::InvoicesPost)?;
    let company = company::currency(app).await?;
    let mut tx = app.db.begin().await?;
    let row = store::invoice_in_tx(&mut tx, id).await?;
    let from = state_of_invoice(&row);
    let mut to = from.post().map_err(illegal)?;
    let kind = kind_of(&row);
    let issue = Date::parse(&row.issue_date)
        .ok_or_else(|| AppError::Internal(anyhow::anyhow!("invoice {id} has a bad date")))?;
    let credited = match row.credited_invoice_id {
        Some(cid) => {
            let credited = store::invoice_in_tx(&mut tx, cid).await?;
            state_of_invoice(&credited).credit().map_err(illegal)?;
            Some(credited)
        }
        None => None,
    };
    let rate = match &credited {
        Some(inv) => inv.rate_e9,
        None => rate_on(&mut tx, &row.currency, &company, &row.issue_date).await?,
    };
    let lines = store::lines_in_tx(&mut tx, id).await?;
    let (total_company, credits) = revenue_and_vat(&lines, &row, rate, &company);
    let seq = seam_store::ledger::next_number(&mut tx, &kind.series(issue.year)).await?;
    let number = kind.number(issue.year, seq);
    let party = &row.party_name;
    let mut entry_lines: Vec<ValidLine> = Vec::new();
    let mut applied = 0;
    match &credited {
        None => {
            entry_lines.push(debit(RECEIVABLE_ACCOUNT, total_company));
            entry_lines.extend(credits.iter().map(|(a, m)| credit(a, *m)));
        }
        Some(inv) => {
            applied = row.total_minor.min(inv.due_minor());
            let applied_company = settled_company(inv, applied, &company);
            entry_lines.extend(credits.iter().map(|(a, m)| debit(a, *m)));
            entry_lines.push(credit(RECEIVABLE_ACCOUNT, applied_company));
            entry_lines.push(credit(
                CUSTOMER_CREDIT_ACCOUNT,
                total_company - applied_company,
            ));
            let after = state_of_invoice(inv)
                .settle(inv.due_minor() - applied)
                .map_err(illegal)?;
            if applied > 0 {
                store::settle(
                    &mut tx,
                    inv.id,
                    inv.version,
                    applied,
                    &row.issue_date,
                    after.name(),
                    now_us(),
                )
                .await?;
            }
            if applied == row.total_minor {
                to = InvoiceState::Paid;
            }
        }
    }
    entry_lines.retain(|l| l.debit_minor != 0 || l.credit_minor != 0);
    let memo = match kind {
        DocumentKind::Invoice => format!("Invoice {number} to {party}"),
        DocumentKind::CreditNote => format!(
            "Credit note {number} to {party} for {}",
            row.credited_invoice_number.as_deref().unwrap_or("")
        ),
    };
    let entry = BalancedEntry::from_stored(issue, memo, company.clone(), entry_lines)
        .map_err(AppError::Invalid)?;
    let (entry_id, entry_number) = crate::ledger::post(&mut tx, actor, &entry, None).await?;
    store::set_posted(
        &mut tx,
        id,
        row.version,
        &store::Posting {
            number: &number,
            rate_e9: rate,
            total_company_minor: total_company,
            settled_minor: applied,
            state: to.name(),
            journal_entry_id: entry_id,
            now_us: now_us(),
        },
    )
    .await?;
    let after = store::invoice_in_tx(&mut tx, id).await?;
    record(
        &mut tx,
        actor,
        Change {
            entity_type: "invoice",
            entity_id: id.to_string(),
            action: "post",
            before: Some(invoice_json(&row)),
            after: Some(json!({
                "document": invoice_json(&after),
                "journal_entry": entry_number,
                "rate_e9": rate,
                "total_company_minor": total_company,
            })),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(Posted {
        id,
        number,
        entry_number,
        state: to,
    })
}

pub(crate) fn debit(account: &str, minor: i64) -> ValidLine {
    if minor < 0 {
        return credit(account, -minor);
    }
    ValidLine {
        account: account.to_owned(),
        debit_minor: minor,
        credit_minor: 0,
    }
}

pub(crate) fn credit(account: &str, minor: i64) -> ValidLine {
    if minor < 0 {
        return debit(account, -minor);
    }
    ValidLine {
        account: account.to_owned(),
        debit_minor: 0,
        credit_minor: minor,
    }
}

/// Cancels a draft invoice or credit note. Needs `invoices.write`.
///
/// Errors: [`AppError::Conflict`] with `error-invoice-state` unless a draft.
pub async fn cancel_invoice(app: &App, actor: &Actor, id: i64) -> AppResult<()> {
    actor.require(Permission::InvoicesWrite)?;
    let mut tx = app.db.begin().await?;
    let row = store::invoice_in_tx(&mut tx, id).await?;
    state_of_invoice(&row).cancel().map_err(illegal)?;
    store::set_cancelled(&mut tx, id, row.version, now_us()).await?;
    record(
        &mut tx,
        actor,
        Change {
            entity_type: "invoice",
            entity_id: id.to_string(),
            action: "cancel",
            before: Some(json!({ "state": row.state })),
            after: Some(json!({ "state": InvoiceState::Cancelled.name() })),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// A payment as typed.
#[derive(Debug, Clone, Default)]
pub struct PaymentInput {
    pub party_id: i64,
    /// `YYYY-MM-DD`; empty for today.
    pub payment_date: String,
    /// Empty for the company currency.
    pub currency: String,
    pub amount: String,
    /// The bank's reference or the customer's remittance text.
    pub reference: String,
    /// `(invoice id, amount)`; empty to settle the party's open invoices in
    /// the payment's currency, oldest due first.
    pub allocations: Vec<(i64, String)>,
}

/// A payment recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaymentRecorded {
    pub id: i64,
    pub number: String,
    pub entry_number: String,
    /// What it did not settle: the customer's credit balance from it.
    pub unallocated_minor: i64,
    /// The realised exchange difference in the company currency: positive a
    /// gain, negative a loss.
    pub exchange_difference_minor: i64,
}

/// Records a customer's payment: bank against receivables (and customer
/// credit for what settles nothing), the realised exchange difference, and
/// the invoices it settles. Needs `payments.record`.
///
/// Errors: [`AppError::Invalid`] naming `party` (`error-unknown-party`),
/// `payment_date`, `currency` (`error-currency`, `error-rate-missing`),
/// `amount`, `reference`, `allocations[n].invoice` (`error-unknown-invoice`,
/// `error-invoice-other-party`, `error-invoice-not-open`,
/// `error-currency-mismatch`), `allocations[n].amount` (`error-amount`,
/// `error-pay-too-much`), or `allocations` (`error-allocations-exceed`).
/// Nothing is written on any error.
pub async fn record_payment(
    app: &App,
    actor: &Actor,
    input: &PaymentInput,
) -> AppResult<PaymentRecorded> {
    actor.require(Permission::PaymentsRecord)?;
    let company = company::currency(app).await?;
    let mut errors = FieldErrors::new();
    let date = parse_date_or_today(&input.payment_date, "payment_date", &mut errors);
    let currency = match input.currency.trim() {
        "" => Some(company.clone()),
        text => parse_currency(text),
    };
    if currency.is_none() {
        errors.add("currency", "error-currency");
    }
    let currency = currency.unwrap_or_else(|| company.clone());
    let amount = match parse_amount(&input.amount, &currency) {
        Ok(0) => {
            errors.add("amount", "error-amount-positive");
            0
        }
        Ok(minor) => minor,
        Err(code) => {
            errors.add("amount", code);
            0
        }
    };
    let reference = check_note(&input.reference, "reference", &mut errors);
    if input.allocations.len() > ALLOCATIONS_MAX {
        errors.add("allocations", "error-too-many-lines");
    }
    let party = seam_store::parties::party(&app.db, input.party_id).await?;
    if party.is_none() {
        errors.add("party", "error-unknown-party");
    }
    let mut tx = app.db.begin().await?;
    // (invoice row as locked, amount to settle)
    let mut settles: Vec<(InvoiceRow, i64)> = Vec::new();
    if input.allocations.is_empty() {
        let mut left = amount;
        for row in store::open_invoices_in_tx(&mut tx, input.party_id).await? {
            if left == 0 {
                break;
            }
            if row.currency != currency {
                continue;
            }
            let take = left.min(row.due_minor());
            left -= take;
            settles.push((row, take));
        }
    } else {
        let mut seen: HashMap<i64, usize> = HashMap::new();
        for (i, (invoice_id, text)) in input.allocations.iter().enumerate() {
            let field = |f: &str| format!("allocations[{}].{f}", i + 1);
            let row = match store::invoice_in_tx(&mut tx, *invoice_id).await {
                Ok(row) => row,
                Err(seam_store::StoreError::NotFound) => {
                    errors.add(&field("invoice"), "error-unknown-invoice");
                    continue;
                }
                Err(other) => return Err(other.into()),
            };
            let minor = match parse_amount(text, &currency) {
                Ok(0) => {
                    errors.add(&field("amount"), "error-amount-positive");
                    continue;
                }
                Ok(m) => m,
                Err(code) => {
                    errors.add(&field("amount"), code);
                    continue;
                }
            };
            if row.party_id != input.party_id {
                errors.add(&field("invoice"), "error-invoice-other-party");
            } else if kind_of(&row) != DocumentKind::Invoice
                || state_of_invoice(&row) != InvoiceState::Posted
            {
                errors.add(&field("invoice"), "error-invoice-not-open");
            } else if row.currency != currency {
                errors.add(&field("invoice"), "error-currency-mismatch");
            } else if seen.insert(row.id, i).is_some() {
                errors.add(&field("invoice"), "error-duplicate-line");
            } else if minor > row.due_minor() {
                errors.add(&field("amount"), "error-pay-too-much");
            } else {
                settles.push((row, minor));
            }
        }
        let allocated: i64 = settles.iter().map(|(_, m)| m).sum();
        if errors.is_empty() && allocated > amount {
            errors.add("allocations", "error-allocations-exceed");
        }
    }
    let Some(date) = date else {
        return Err(AppError::Invalid(errors));
    };
    errors.into_result(())?;
    let pay_rate = rate_on(&mut tx, &currency, &company, &date.iso()).await?;
    let allocated: i64 = settles.iter().map(|(_, m)| m).sum();
    let unallocated = amount - allocated;
    let bank_company = to_company(amount, pay_rate, &currency, &company);
    let receivable_company: i64 = settles
        .iter()
        .map(|(row, m)| settled_company(row, *m, &company))
        .sum();
    let credit_company = to_company(unallocated, pay_rate, &currency, &company);
    let difference = bank_company - receivable_company - credit_company;
    let mut lines = vec![
        debit(BANK_ACCOUNT, bank_company),
        credit(RECEIVABLE_ACCOUNT, receivable_company),
        credit(CUSTOMER_CREDIT_ACCOUNT, credit_company),
    ];
    if difference > 0 {
        lines.push(credit(FX_GAIN_ACCOUNT, difference));
    } else if difference < 0 {
        lines.push(debit(FX_LOSS_ACCOUNT, -difference));
    }
    lines.retain(|l| l.debit_minor != 0 || l.credit_minor != 0);
    let seq =
        seam_store::ledger::next_number(&mut tx, &format!("{PAYMENT_PREFIX}-{:04}", date.year))
            .await?;
    let number = format!("{PAYMENT_PREFIX}-{:04}-{seq:06}", date.year);
    let party_name = party.map(|p| p.name).unwrap_or_default();
    let entry = BalancedEntry::from_stored(
        date,
        format!("Payment {number} from {party_name}"),
        company.clone(),
        lines,
    )
    .map_err(AppError::Invalid)?;
    let (entry_id, entry_number) = crate::ledger::post(&mut tx, actor, &entry, None).await?;
    let allocations: Vec<(i64, i64)> = settles.iter().map(|(r, m)| (r.id, *m)).collect();
    let id = store::insert_payment(
        &mut tx,
        &store::NewPayment {
            number: &number,
            party_id: input.party_id,
            payment_date: &date.iso(),
            currency: &currency,
            rate_e9: pay_rate,
            amount_minor: amount,
            unallocated_minor: unallocated,
            reference: &reference,
            bank_account_code: BANK_ACCOUNT,
            journal_entry_id: entry_id,
            posted_by: &actor.username,
            now_us: now_us(),
        },
        &allocations,
    )
    .await?;
    for (row, minor) in &settles {
        let after = state_of_invoice(row)
            .settle(row.due_minor() - minor)
            .map_err(illegal)?;
        store::settle(
            &mut tx,
            row.id,
            row.version,
            *minor,
            &date.iso(),
            after.name(),
            now_us(),
        )
        .await?;
    }
    record(
        &mut tx,
        actor,
        Change {
            entity_type: "payment",
            entity_id: id.to_string(),
            action: "record",
            before: None,
            after: Some(json!({
                "number": number,
                "party_id": input.party_id,
                "payment_date": date.iso(),
                "currency": currency,
                "amount_minor": amount,
                "unallocated_minor": unallocated,
                "reference": reference,
                "journal_entry": entry_number,
                "exchange_difference_minor": difference,
                "allocations": settles.iter().map(|(r, m)| json!({
                    "invoice": r.number, "amount_minor": m
                })).collect::<Vec<_>>(),
            })),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(PaymentRecorded {
        id,
        number,
        entry_number,
        unallocated_minor: unallocated,
        exchange_difference_minor: difference,
    })
}

/// Sets the rate of a foreign currency on a date: how many units of the
/// company currency one unit buys. Needs `ledger.admin`.
///
/// Errors: [`AppError::Invalid`] naming `currency` (`error-currency`, or
/// `error-rate-company` for the company currency itself), `date` or `rate`.
pub async fn set_rate(
    app: &App,
    actor: &Actor,
    currency: &str,
    date: &str,
    rate: &str,
) -> AppResult<()> {
    actor.require(Permission::LedgerAdmin)?;
    let company = company::currency(app).await?;
    let mut errors = FieldErrors::new();
    let code = parse_currency(currency);
    match &code {
        None => errors.add("currency", "error-currency"),
        Some(c) if *c == company => errors.add("currency", "error-rate-company"),
        Some(_) => {}
    }
    let date = parse_date_or_today(date, "date", &mut errors);
    let rate = match rules::parse_rate(rate) {
        Ok(r) => Some(r),
        Err(code) => {
            errors.add("rate", code);
            None
        }
    };
    let (Some(code), Some(date), Some(rate)) = (code, date, rate) else {
        return Err(AppError::Invalid(errors));
    };
    errors.into_result(())?;
    let mut tx = app.db.begin().await?;
    store::set_rate(&mut tx, &code, &date.iso(), rate, &actor.username, now_us()).await?;
    record(
        &mut tx,
        actor,
        Change {
            entity_type: "exchange_rate",
            entity_id: format!("{code}/{}", date.iso()),
            action: "set",
            before: None,
            after: Some(
                json!({ "currency": code, "date": date.iso(), "rate": rules::format_rate(rate) }),
            ),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// The latest dated rates, newest first. Needs `ledger.read`.
pub async fn rates(app: &App, actor: &Actor) -> AppResult<Vec<RateRow>> {
    actor.require(Permission::LedgerRead)?;
    Ok(store::rates(&app.db, 200).await?)
}

/// One page of invoices and credit notes. Needs `invoices.read`.
pub async fn list_invoices(
    app: &App,
    actor: &Actor,
    filter: &InvoiceFilter,
    before: Option<i64>,
    limit: i64,
) -> AppResult<(Vec<InvoiceRow>, Option<i64>)> {
    actor.require(Permission::InvoicesRead)?;
    Ok(store::list_invoices(&app.db, filter, before, limit).await?)
}

/// A document with its lines, the payments that settled it and the credit
/// notes against it.
#[derive(Debug, Clone)]
pub struct InvoiceDetail {
    pub invoice: InvoiceRow,
    pub lines: Vec<InvoiceLineRow>,
    pub payments: Vec<AllocationRow>,
    pub credit_notes: Vec<InvoiceRow>,
    pub journal_entry_number: Option<String>,
}

/// Needs `invoices.read`.
pub async fn invoice(app: &App, actor: &Actor, id: i64) -> AppResult<InvoiceDetail> {
    actor.require(Permission::InvoicesRead)?;
    let invoice = store::invoice(&app.db, id)
        .await?
        .ok_or(AppError::NotFound)?;
    detail(app, invoice).await
}

/// The posted document with this number. Needs `invoices.read`.
pub async fn invoice_by_number(app: &App, actor: &Actor, number: &str) -> AppResult<InvoiceDetail> {
    actor.require(Permission::InvoicesRead)?;
    let invoice = store::invoice_by_number(&app.db, number.trim())
        .await?
        .ok_or(AppError::NotFound)?;
    detail(app, invoice).await
}

pub(crate) async fn detail(app: &App, invoice: InvoiceRow) -> AppResult<InvoiceDetail> {
    let lines = store::lines(&app.db, invoice.id).await?;
    let payments = store::allocations_of_invoice(&app.db, invoice.id).await?;
    let credit_notes = if kind_of(&invoice) == DocumentKind::Invoice {
        let filter = InvoiceFilter {
            kind: Some(DocumentKind::CreditNote.name().to_owned()),
            ..InvoiceFilter::default()
        };
        store::list_invoices(&app.db, &filter, None, seam_store::parties::PAGE_SIZE_MAX)
            .await?
            .0
            .into_iter()
            .filter(|c| c.credited_invoice_id == Some(invoice.id))
            .collect()
    } else {
        Vec::new()
    };
    let journal_entry_number = match invoice.journal_entry_id {
        Some(entry) => seam_store::ledger::entry(&app.db, entry)
            .await?
            .map(|(e, _)| e.number),
        None => None,
    };
    Ok(InvoiceDetail {
        invoice,
        lines,
        payments,
        credit_notes,
        journal_entry_number,
    })
}

/// One page of payments, optionally of one party. Needs `invoices.read`.
pub async fn list_payments(
    app: &App,
    actor: &Actor,
    party_id: Option<i64>,
    before: Option<i64>,
    limit: i64,
) -> AppResult<(Vec<PaymentRow>, Option<i64>)> {
    actor.require(Permission::InvoicesRead)?;
    Ok(store::list_payments(&app.db, party_id, before, limit).await?)
}

/// A payment and what it settled. Needs `invoices.read`.
pub async fn payment(
    app: &App,
    actor: &Actor,
    id: i64,
) -> AppResult<(PaymentRow, Vec<AllocationRow>)> {
    actor.require(Permission::InvoicesRead)?;
    let row = store::payment(&app.db, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let allocations = store::allocations_of_payment(&app.db, id).await?;
    Ok((row, allocations))
}

/// The outgoing document of a posted invoice or credit note, for UBL and
/// PDF. Needs `invoices.read`.
///
/// Errors: [`AppError::Conflict`] with `error-invoice-state` for a draft or
/// cancelled document (it has no number yet).
pub async fn document(app: &App, actor: &Actor, id: i64) -> AppResult<InvoiceDocument> {
    let detail = invoice(app, actor, id).await?;
    build_document(app, &detail).await
}

/// As [`document`], by number.
pub async fn document_by_number(
    app: &App,
    actor: &Actor,
    number: &str,
) -> AppResult<InvoiceDocument> {
    let detail = invoice_by_number(app, actor, number).await?;
    build_document(app, &detail).await
}

/// A posted document as EN 16931 UBL 2.1 XML. Needs `invoices.read`.
///
/// Errors: as [`document`]; [`AppError::Invalid`] naming the profile or
/// party field a valid e-invoice needs but lacks (`seller.vat_id`, …) with
/// `error-ubl`.
pub async fn ubl(app: &App, actor: &Actor, id: i64) -> AppResult<String> {
    ubl_of(&document(app, actor, id).await?, id)
}

/// A built document as UBL XML; `id` names it in the log.
pub(crate) fn ubl_of(doc: &InvoiceDocument, id: i64) -> AppResult<String> {
    seam_ubl::to_xml(doc).map_err(|err| {
        tracing::info!(%err, "invoice {id} is not a valid e-invoice");
        AppError::Invalid(FieldErrors::one(&ubl_field(&err), "error-ubl"))
    })
}

fn ubl_field(err: &seam_ubl::UblError) -> String {
    match err {
        seam_ubl::UblError::Missing { field, .. } | seam_ubl::UblError::Invalid { field, .. } => {
            (*field).to_string()
        }
        _ => "document".to_owned(),
    }
}

/// A posted document as a PDF. Needs `invoices.read`.
pub async fn pdf(app: &App, actor: &Actor, id: i64) -> AppResult<Vec<u8>> {
    pdf_of(document(app, actor, id).await?, id).await
}

/// A built document as a PDF, rendered off the async threads.
pub(crate) async fn pdf_of(doc: InvoiceDocument, id: i64) -> AppResult<Vec<u8>> {
    tokio::task::spawn_blocking(move || seam_pdf::invoice_pdf(&doc))
        .await
        .map_err(|err| AppError::Internal(anyhow::anyhow!("PDF task failed: {err}")))?
        .map_err(|err| AppError::Internal(anyhow::anyhow!("PDF of invoice {id}: {err}")))
}

pub(crate) async fn build_document(
    app: &App,
    detail: &InvoiceDetail,
) -> AppResult<InvoiceDocument> {
    let row = &detail.invoice;
    let Some(number) = row.number.clone() else {
        return Err(AppError::Conflict(IllegalTransition::CODE));
    };
    let profile = company::profile(app).await?;
    let buyer = seam_store::parties::party(&app.db, row.party_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let delivery_date = match row.order_id {
        Some(order) => shipment_store::shipments(&app.db, order)
            .await?
            .last()
            .map(|s| s.ship_date.clone())
            .unwrap_or_else(|| row.issue_date.clone()),
        None => row.issue_date.clone(),
    };
    let preceding_invoice = match row.credited_invoice_id {
        Some(cid) => store::invoice(&app.db, cid)
            .await?
            .and_then(|i| i.number.map(|n| (n, i.issue_date))),
        None => None,
    };
    let sums = totals(detail.lines.iter().map(|l| {
        (
            l.line_net_minor,
            l.tax_rate_code.as_str(),
            l.vat_basis_points,
        )
    }));
    let vat = document_vat(&sums.breakdown, |code| {
        let line = detail.lines.iter().find(|l| l.tax_rate_code == code);
        (
            line.map(|l| l.vat_category.clone()).unwrap_or_default(),
            line.and_then(|l| l.exemption_reason.clone())
                .unwrap_or_default(),
        )
    });
    let terms = Date::parse(&row.issue_date)
        .zip(Date::parse(&row.due_date))
        .map(|(a, b)| rules::days_between(a, b))
        .unwrap_or(0);
    Ok(InvoiceDocument {
        kind: kind_of(row),
        number,
        issue_date: row.issue_date.clone(),
        due_date: row.due_date.clone(),
        delivery_date,
        currency: row.currency.clone(),
        seller: seller_party(&profile),
        buyer: buyer_party(&buyer),
        order_reference: row.order_number.clone().unwrap_or_default(),
        preceding_invoice,
        lines: detail
            .lines
            .iter()
            .map(|l| DocumentLine {
                line_no: l.line_no,
                description: l.description.clone(),
                sku: l.sku.clone(),
                qty: l.qty,
                unit_code: l.unit_code.clone(),
                unit_price_minor: l.unit_price_minor,
                line_net_minor: l.line_net_minor,
                vat_category: l.vat_category.clone(),
                vat_basis_points: l.vat_basis_points,
            })
            .collect(),
        vat,
        net_minor: row.net_minor,
        vat_minor: row.vat_minor,
        total_minor: row.total_minor,
        paid_minor: row.settled_minor,
        due_minor: row.due_minor(),
        payment_terms: if terms > 0 {
            format!("Net {terms} days")
        } else {
            String::new()
        },
        seller_iban: profile.iban,
        note: row.note.clone(),
    })
}

/// The seller as an outgoing document names it: the company profile.
pub(crate) fn seller_party(profile: &company::CompanyProfile) -> DocumentParty {
    DocumentParty {
        name: profile.name.clone(),
        vat_id: profile.vat_id.clone(),
        legal_id: profile.legal_id.clone(),
        street: profile.street.clone(),
        city: profile.city.clone(),
        postcode: profile.postcode.clone(),
        country: profile.country.clone(),
        email: profile.email.clone(),
    }
}

/// A customer as an outgoing document names it.
pub(crate) fn buyer_party(party: &seam_store::parties::PartyRow) -> DocumentParty {
    let text = |o: &Option<String>| o.clone().unwrap_or_default();
    DocumentParty {
        name: party.name.clone(),
        vat_id: text(&party.tax_id),
        legal_id: String::new(),
        street: text(&party.street),
        city: text(&party.city),
        postcode: text(&party.postal_code),
        country: text(&party.country),
        email: text(&party.email),
    }
}

/// A document's VAT breakdown (EN 16931 BG-23) from the per-tax-rate sums:
/// rates of the same category and percentage are merged. `rate_of` gives a
/// tax rate code's category and exemption reason.
pub(crate) fn document_vat(
    breakdown: &[VatBreakdown],
    rate_of: impl Fn(&str) -> (String, String),
) -> Vec<DocumentVat> {
    let mut vat: Vec<DocumentVat> = Vec::new();
    for b in breakdown {
        let (category, reason) = rate_of(&b.tax_rate_code);
        match vat
            .iter_mut()
            .find(|v| v.vat_category == category && v.vat_basis_points == b.vat_basis_points)
        {
            Some(v) => {
                v.base_minor += b.base_minor;
                v.vat_minor += b.vat_minor;
            }
            None => vat.push(DocumentVat {
                vat_category: category,
                vat_basis_points: b.vat_basis_points,
                base_minor: b.base_minor,
                vat_minor: b.vat_minor,
                exemption_reason: reason,
            }),
        }
    }
    vat
}

/// One customer's line of the aging report, in the company currency.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgingRow {
    pub party_id: i64,
    pub party_name: String,
    /// By [`AgingBucket::ALL`] order.
    pub buckets: [i64; 5],
    pub total: i64,
}

/// Receivables by how long they are overdue at a date.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgingReport {
    pub at: String,
    pub currency: String,
    pub rows: Vec<AgingRow>,
    pub totals: [i64; 5],
    pub total: i64,
}

fn bucket_index(b: AgingBucket) -> usize {
    AgingBucket::ALL.iter().position(|x| *x == b).unwrap_or(0)
}

/// The receivables aging at `at` (empty for today): what each customer
/// owed then, current and 1–30, 31–60, 61–90, over 90 days past due, in the
/// company currency at each invoice's booked rate. Reads open items only.
/// Needs `invoices.read`.
pub async fn aging(app: &App, actor: &Actor, at: &str) -> AppResult<AgingReport> {
    actor.require(Permission::InvoicesRead)?;
    let mut errors = FieldErrors::new();
    let Some(at) = parse_date_or_today(at, "at", &mut errors) else {
        return Err(AppError::Invalid(errors));
    };
    let company = company::currency(app).await?;
    let items = store::aging_items(&app.db, &at.iso()).await?;
    let mut rows: Vec<AgingRow> = Vec::new();
    let mut report_totals = [0_i64; 5];
    for item in items {
        let due = due_company(
            item.total_minor,
            item.due_minor,
            item.total_company_minor,
            item.rate_e9,
            &item.currency,
            &company,
        );
        let days = Date::parse(&item.due_date)
            .map(|d| rules::days_between(d, at))
            .unwrap_or(0);
        let index = bucket_index(AgingBucket::of(days));
        if rows.last().is_none_or(|r| r.party_id != item.party_id) {
            rows.push(AgingRow {
                party_id: item.party_id,
                party_name: item.party_name.clone(),
                buckets: [0; 5],
                total: 0,
            });
        }
        if let Some(row) = rows.last_mut() {
            if let Some(b) = row.buckets.get_mut(index) {
                *b += due;
            }
            row.total += due;
        }
        if let Some(t) = report_totals.get_mut(index) {
            *t += due;
        }
    }
    let total = report_totals.iter().sum();
    Ok(AgingReport {
        at: at.iso(),
        currency: company,
        rows,
        totals: report_totals,
        total,
    })
}

/// One line of a statement with the balance after it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatementLine {
    pub row: StatementRow,
    pub balance_minor: i64,
}

/// A customer's account in one currency over a period.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatementSection {
    pub currency: String,
    pub opening_minor: i64,
    pub lines: Vec<StatementLine>,
    pub closing_minor: i64,
}

/// What a customer was invoiced, credited and paid from `from` to `to`
/// (empty: the year to date), with opening and closing balances per
/// currency. Needs `invoices.read`.
pub async fn statement(
    app: &App,
    actor: &Actor,
    party_id: i64,
    from: &str,
    to: &str,
) -> AppResult<Vec<StatementSection>> {
    actor.require(Permission::InvoicesRead)?;
    let mut errors = FieldErrors::new();
    let to = parse_date_or_today(to, "to", &mut errors);
    let from = match (from.trim(), to) {
        ("", Some(to)) => Some(Date {
            year: to.year,
            month: 1,
            day: 1,
        }),
        (text, _) => Date::parse(text),
    };
    if from.is_none() {
        errors.add("from", "error-date");
    }
    let (Some(from), Some(to)) = (from, to) else {
        return Err(AppError::Invalid(errors));
    };
    seam_store::parties::party(&app.db, party_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let (rows, opening) = store::statement_rows(&app.db, party_id, &from.iso(), &to.iso()).await?;
    let mut sections: Vec<StatementSection> = opening
        .into_iter()
        .map(|(currency, minor)| StatementSection {
            currency,
            opening_minor: minor,
            lines: Vec::new(),
            closing_minor: minor,
        })
        .collect();
    for row in rows {
        let index = match sections.iter().position(|s| s.currency == row.currency) {
            Some(i) => i,
            None => {
                sections.push(StatementSection {
                    currency: row.currency.clone(),
                    opening_minor: 0,
                    lines: Vec::new(),
                    closing_minor: 0,
                });
                sections.len() - 1
            }
        };
        if let Some(section) = sections.get_mut(index) {
            section.closing_minor += row.debit_minor - row.credit_minor;
            section.lines.push(StatementLine {
                balance_minor: section.closing_minor,
                row,
            });
        }
    }
    sections.sort_by(|a, b| a.currency.cmp(&b.currency));
    Ok(sections)
}

/// What a party owes and has paid in advance, per currency. Needs `invoices.read`.
pub async fn party_balances(
    app: &App,
    actor: &Actor,
    party_id: i64,
) -> AppResult<Vec<PartyBalance>> {
    actor.require(Permission::InvoicesRead)?;
    Ok(store::party_balances(&app.db, party_id).await?)
}

/// Queues an e-mail of a posted document to its customer, with its PDF and
/// UBL XML attached; see [`crate::mail::email_invoice`].
pub use crate::mail::email_invoice;
