//! Invoices and credit notes, payments and their allocations, and dated
//! exchange rates. A document's row carries its totals, what has been settled
//! of it, and a version; every change is a guarded `UPDATE … WHERE version =
//! $n` (or a state guard), so two postings of the same draft never both
//! succeed. The ledger entry is the ledger module's; the app layer calls both
//! inside one transaction.

use crate::parties::{Arg, PAGE_SIZE_MAX, Where, bind_args};
use crate::{Db, Result, StoreError, Tx, on_read, on_tx};

/// An invoice or credit note with its customer's name and, when it has
/// them, its order's and credited invoice's numbers.
#[derive(Debug, Clone, sqlx::FromRow, PartialEq, Eq)]
pub struct InvoiceRow {
    pub id: i64,
    /// `invoice` or `credit_note`.
    pub kind: String,
    /// `None` while a draft (and for a draft that was cancelled).
    pub number: Option<String>,
    pub party_id: i64,
    pub party_name: String,
    pub order_id: Option<i64>,
    pub order_number: Option<String>,
    pub credited_invoice_id: Option<i64>,
    pub credited_invoice_number: Option<String>,
    /// `draft`, `posted`, `paid` or `cancelled`.
    pub state: String,
    pub issue_date: String,
    pub due_date: String,
    pub currency: String,
    pub rate_e9: i64,
    pub net_minor: i64,
    pub vat_minor: i64,
    pub total_minor: i64,
    pub settled_minor: i64,
    pub settled_date: Option<String>,
    pub total_company_minor: i64,
    pub journal_entry_id: Option<i64>,
    pub note: String,
    pub created_by: String,
    pub version: i64,
    pub created_at_us: i64,
    pub updated_at_us: i64,
}

impl InvoiceRow {
    /// What is still to be paid (or, for a credit note, still to be applied).
    pub fn due_minor(&self) -> i64 {
        self.total_minor - self.settled_minor
    }
}

const INVOICE_SELECT: &str = "SELECT i.id, i.kind, i.number, i.party_id, p.name AS party_name, \
     i.order_id, o.number AS order_number, i.credited_invoice_id, c.number AS credited_invoice_number, \
     i.state, i.issue_date, i.due_date, i.currency, i.rate_e9, i.net_minor, i.vat_minor, i.total_minor, \
     i.settled_minor, i.settled_date, i.total_company_minor, i.journal_entry_id, i.note, i.created_by, i.version, \
     i.created_at_us, i.updated_at_us FROM invoices i JOIN parties p ON p.id = i.party_id \
     LEFT JOIN sales_orders o ON o.id = i.order_id LEFT JOIN invoices c ON c.id = i.credited_invoice_id";

/// A line with its product's SKU.
#[derive(Debug, Clone, sqlx::FromRow, PartialEq, Eq)]
pub struct InvoiceLineRow {
    pub invoice_id: i64,
    pub line_no: i64,
    pub order_line_no: Option<i64>,
    pub product_id: i64,
    pub sku: String,
    pub description: String,
    pub qty: i64,
    pub unit_code: String,
    pub unit_price_minor: i64,
    pub tax_rate_code: String,
    pub vat_category: String,
    pub exemption_reason: Option<String>,
    pub vat_basis_points: i64,
    pub line_net_minor: i64,
    pub revenue_account_code: String,
}

const LINE_SELECT: &str = "SELECT l.invoice_id, l.line_no, l.order_line_no, l.product_id, pr.sku, \
     l.description, l.qty, l.unit_code, l.unit_price_minor, l.tax_rate_code, t.category AS vat_category, \
     t.exemption_reason, l.vat_basis_points, l.line_net_minor, l.revenue_account_code \
     FROM invoice_lines l JOIN products pr ON pr.id = l.product_id JOIN tax_rates t ON t.code = l.tax_rate_code";

/// A new draft's header.
pub struct NewInvoice<'a> {
    pub kind: &'a str,
    pub party_id: i64,
    pub order_id: Option<i64>,
    pub credited_invoice_id: Option<i64>,
    pub issue_date: &'a str,
    pub due_date: &'a str,
    pub currency: &'a str,
    pub net_minor: i64,
    pub vat_minor: i64,
    pub note: &'a str,
    pub created_by: &'a str,
    pub now_us: i64,
}

/// A line to store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewInvoiceLine {
    pub order_line_no: Option<i64>,
    pub product_id: i64,
    pub description: String,
    pub qty: i64,
    pub unit_code: String,
    pub unit_price_minor: i64,
    pub tax_rate_code: String,
    pub vat_basis_points: i64,
    pub line_net_minor: i64,
    pub revenue_account_code: String,
}

/// Writes a draft (no number, version 1, rate 1) and its lines numbered from 1.
pub async fn insert_invoice(
    tx: &mut Tx,
    new: &NewInvoice<'_>,
    lines: &[NewInvoiceLine],
) -> Result<i64> {
    const SQL: &str = "INSERT INTO invoices (kind, number, party_id, order_id, credited_invoice_id, state, \
         issue_date, due_date, currency, rate_e9, net_minor, vat_minor, total_minor, settled_minor, \
         total_company_minor, journal_entry_id, note, created_by, version, created_at_us, updated_at_us) \
         VALUES ($1, NULL, $2, $3, $4, 'draft', $5, $6, $7, 1000000000, $8, $9, $10, 0, 0, NULL, $11, $12, 1, $13, $13) \
         RETURNING id";
    const LINE: &str = "INSERT INTO invoice_lines (invoice_id, line_no, order_line_no, product_id, description, \
         qty, unit_code, unit_price_minor, tax_rate_code, vat_basis_points, line_net_minor, revenue_account_code) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)";
    let id = on_tx!(tx, c => sqlx::query_scalar::<_, i64>(SQL)
        .bind(new.kind)
        .bind(new.party_id)
        .bind(new.order_id)
        .bind(new.credited_invoice_id)
        .bind(new.issue_date)
        .bind(new.due_date)
        .bind(new.currency)
        .bind(new.net_minor)
        .bind(new.vat_minor)
        .bind(new.net_minor + new.vat_minor)
        .bind(new.note)
        .bind(new.created_by)
        .bind(new.now_us)
        .fetch_one(c)
        .await
        .map_err(StoreError::from_insert)?);
    for (i, line) in lines.iter().enumerate() {
        let line_no = i64::try_from(i).unwrap_or(i64::MAX - 1) + 1;
        on_tx!(tx, c => sqlx::query(LINE)
            .bind(id)
            .bind(line_no)
            .bind(line.order_line_no)
            .bind(line.product_id)
            .bind(line.description.as_str())
            .bind(line.qty)
            .bind(line.unit_code.as_str())
            .bind(line.unit_price_minor)
            .bind(line.tax_rate_code.as_str())
            .bind(line.vat_basis_points)
            .bind(line.line_net_minor)
            .bind(line.revenue_account_code.as_str())
            .execute(c)
            .await
            .map_err(StoreError::from_insert)?
            .rows_affected());
    }
    Ok(id)
}

/// An invoice inside a write transaction, locked on PostgreSQL until commit.
pub async fn invoice_in_tx(tx: &mut Tx, id: i64) -> Result<InvoiceRow> {
    crate::locked_row(tx, INVOICE_SELECT, "i", id).await
}

pub async fn invoice(db: &Db, id: i64) -> Result<Option<InvoiceRow>> {
    let sql = sqlx::AssertSqlSafe(format!("{INVOICE_SELECT} WHERE i.id = $1"));
    Ok(on_read!(db, p => sqlx::query_as::<_, InvoiceRow>(sql).bind(id).fetch_optional(p).await?))
}

/// The credit notes drafted or posted against an invoice, oldest first.
pub async fn credit_notes_of(db: &Db, invoice_id: i64) -> Result<Vec<InvoiceRow>> {
    let sql = sqlx::AssertSqlSafe(format!(
        "{INVOICE_SELECT} WHERE i.credited_invoice_id = $1 AND i.state <> 'cancelled' ORDER BY i.id"
    ));
    Ok(on_read!(db, p => sqlx::query_as::<_, InvoiceRow>(sql).bind(invoice_id).fetch_all(p).await?))
}

/// The document with this number (`INV-2026-000042`, `CN-2026-000001`), if any.
pub async fn invoice_by_number(db: &Db, number: &str) -> Result<Option<InvoiceRow>> {
    let sql = sqlx::AssertSqlSafe(format!("{INVOICE_SELECT} WHERE i.number = $1"));
    Ok(
        on_read!(db, p => sqlx::query_as::<_, InvoiceRow>(sql).bind(number).fetch_optional(p).await?),
    )
}

/// A document's lines by line number.
pub async fn lines(db: &Db, invoice_id: i64) -> Result<Vec<InvoiceLineRow>> {
    let sql = sqlx::AssertSqlSafe(format!(
        "{LINE_SELECT} WHERE l.invoice_id = $1 ORDER BY l.line_no"
    ));
    Ok(
        on_read!(db, p => sqlx::query_as::<_, InvoiceLineRow>(sql).bind(invoice_id).fetch_all(p).await?),
    )
}

/// A document's lines inside a write transaction.
pub async fn lines_in_tx(tx: &mut Tx, invoice_id: i64) -> Result<Vec<InvoiceLineRow>> {
    let sql = sqlx::AssertSqlSafe(format!(
        "{LINE_SELECT} WHERE l.invoice_id = $1 ORDER BY l.line_no"
    ));
    Ok(
        on_tx!(tx, c => sqlx::query_as::<_, InvoiceLineRow>(sql).bind(invoice_id).fetch_all(c).await?),
    )
}

/// How much of each line of an order has been invoiced (drafts included,
/// cancelled documents not): `(order_line_no, qty)`.
pub async fn invoiced_qty_in_tx(tx: &mut Tx, order_id: i64) -> Result<Vec<(i64, i64)>> {
    const SQL: &str = "SELECT l.order_line_no, CAST(SUM(l.qty) AS BIGINT) FROM invoice_lines l \
         JOIN invoices i ON i.id = l.invoice_id \
         WHERE i.order_id = $1 AND i.kind = 'invoice' AND i.state <> 'cancelled' AND l.order_line_no IS NOT NULL \
         GROUP BY l.order_line_no ORDER BY l.order_line_no";
    Ok(on_tx!(tx, c => sqlx::query_as::<_, (i64, i64)>(SQL).bind(order_id).fetch_all(c).await?))
}

/// How much of each line of an invoice earlier credit notes (drafts
/// included, cancelled not) have credited: `(invoice line_no, qty, net)`.
/// A credit note's `order_line_no` holds the credited invoice's line number.
pub async fn credited_in_tx(tx: &mut Tx, invoice_id: i64) -> Result<Vec<(i64, i64, i64)>> {
    const SQL: &str = "SELECT l.order_line_no, CAST(SUM(l.qty) AS BIGINT), CAST(SUM(l.line_net_minor) AS BIGINT) \
         FROM invoice_lines l JOIN invoices i ON i.id = l.invoice_id \
         WHERE i.credited_invoice_id = $1 AND i.state <> 'cancelled' AND l.order_line_no IS NOT NULL \
         GROUP BY l.order_line_no ORDER BY l.order_line_no";
    Ok(
        on_tx!(tx, c => sqlx::query_as::<_, (i64, i64, i64)>(SQL).bind(invoice_id).fetch_all(c).await?),
    )
}

/// What posting fixes on a draft.
pub struct Posting<'a> {
    pub number: &'a str,
    pub rate_e9: i64,
    pub total_company_minor: i64,
    pub settled_minor: i64,
    pub state: &'a str,
    pub journal_entry_id: i64,
    pub now_us: i64,
}

/// Posts a draft that still has `version`.
///
/// Errors: [`StoreError::Stale`] when it changed since it was read.
pub async fn set_posted(tx: &mut Tx, id: i64, version: i64, posting: &Posting<'_>) -> Result<()> {
    const SQL: &str = "UPDATE invoices SET state = $3, number = $4, rate_e9 = $5, total_company_minor = $6, \
         settled_minor = $7, settled_date = CASE WHEN $7 > 0 THEN issue_date ELSE NULL END, \
         journal_entry_id = $8, version = version + 1, updated_at_us = $9 \
         WHERE id = $1 AND version = $2 AND state = 'draft'";
    let done = on_tx!(tx, c => sqlx::query(SQL)
        .bind(id)
        .bind(version)
        .bind(posting.state)
        .bind(posting.number)
        .bind(posting.rate_e9)
        .bind(posting.total_company_minor)
        .bind(posting.settled_minor)
        .bind(posting.journal_entry_id)
        .bind(posting.now_us)
        .execute(c)
        .await
        .map_err(StoreError::from_insert)?
        .rows_affected());
    if done != 1 {
        return Err(StoreError::Stale);
    }
    Ok(())
}

/// Cancels a draft that still has `version`.
pub async fn set_cancelled(tx: &mut Tx, id: i64, version: i64, now_us: i64) -> Result<()> {
    const SQL: &str = "UPDATE invoices SET state = 'cancelled', version = version + 1, updated_at_us = $3 \
         WHERE id = $1 AND version = $2 AND state = 'draft'";
    let done = on_tx!(tx, c => sqlx::query(SQL).bind(id).bind(version).bind(now_us).execute(c).await?.rows_affected());
    if done != 1 {
        return Err(StoreError::Stale);
    }
    Ok(())
}

/// Adds `amount_minor` to what has been settled of a posted document on
/// `date` and moves it to `state`, if it still has `version`. The table's
/// check refuses settling more than the total.
pub async fn settle(
    tx: &mut Tx,
    id: i64,
    version: i64,
    amount_minor: i64,
    date: &str,
    state: &str,
    now_us: i64,
) -> Result<()> {
    const SQL: &str = "UPDATE invoices SET settled_minor = settled_minor + $3, state = $4, \
         settled_date = CASE WHEN settled_date IS NULL OR settled_date < $6 THEN $6 ELSE settled_date END, \
         version = version + 1, updated_at_us = $5 \
         WHERE id = $1 AND version = $2 AND state IN ('posted', 'paid')";
    let done = on_tx!(tx, c => sqlx::query(SQL)
        .bind(id)
        .bind(version)
        .bind(amount_minor)
        .bind(state)
        .bind(now_us)
        .bind(date)
        .execute(c)
        .await
        .map_err(StoreError::from_insert)?
        .rows_affected());
    if done != 1 {
        return Err(StoreError::Stale);
    }
    Ok(())
}

/// What a document list shows; every field narrows.
#[derive(Debug, Clone, Default)]
pub struct InvoiceFilter {
    pub kind: Option<String>,
    pub state: Option<String>,
    pub party_id: Option<i64>,
    pub order_id: Option<i64>,
    /// Posted invoices with something still due.
    pub open: bool,
    /// Only documents that were issued (posted or paid): what a customer may see.
    pub issued_only: bool,
}

/// One page of documents, newest first, `limit` rows (at most
/// [`PAGE_SIZE_MAX`]) after the one with id `before`; the second value is
/// where the next page starts.
pub async fn list_invoices(
    db: &Db,
    filter: &InvoiceFilter,
    before: Option<i64>,
    limit: i64,
) -> Result<(Vec<InvoiceRow>, Option<i64>)> {
    let limit = limit.clamp(1, PAGE_SIZE_MAX);
    let mut w = Where::new(if filter.open {
        "i.state = 'posted' AND i.kind = 'invoice'"
    } else {
        "TRUE"
    });
    if let Some(kind) = &filter.kind {
        w.push("i.kind = $?", Arg::Text(kind.clone()));
    }
    if let Some(state) = &filter.state {
        w.push("i.state = $?", Arg::Text(state.clone()));
    }
    if let Some(id) = filter.party_id {
        w.push("i.party_id = $?", Arg::Int(id));
    }
    if let Some(id) = filter.order_id {
        w.push("i.order_id = $?", Arg::Int(id));
    }
    if filter.issued_only {
        w.sql.push_str(" AND i.state IN ('posted', 'paid')");
    }
    if let Some(id) = before {
        w.push("i.id < $?", Arg::Int(id));
    }
    let sql = sqlx::AssertSqlSafe(format!(
        "{INVOICE_SELECT} WHERE {} ORDER BY i.id DESC LIMIT {}",
        w.sql,
        limit + 1
    ));
    let mut rows = on_read!(db, p => bind_args!(sqlx::query_as::<_, InvoiceRow>(sql), &w.args).fetch_all(p).await?);
    let more = rows.len() as i64 > limit;
    rows.truncate(usize::try_from(limit).unwrap_or(0));
    let next = if more {
        rows.last().map(|r| r.id)
    } else {
        None
    };
    Ok((rows, next))
}

/// Every posted invoice with something still due, oldest due first: the
/// open items the aging report and statements read (paid invoices are
/// never scanned).
pub async fn open_invoices(db: &Db, party_id: Option<i64>) -> Result<Vec<InvoiceRow>> {
    let (sql, args) = match party_id {
        Some(id) => (
            format!(
                "{INVOICE_SELECT} WHERE i.kind = 'invoice' AND i.state = 'posted' AND i.party_id = $1 ORDER BY i.due_date, i.id"
            ),
            vec![Arg::Int(id)],
        ),
        None => (
            format!(
                "{INVOICE_SELECT} WHERE i.kind = 'invoice' AND i.state = 'posted' ORDER BY i.due_date, i.id"
            ),
            Vec::new(),
        ),
    };
    let sql = sqlx::AssertSqlSafe(sql);
    Ok(
        on_read!(db, p => bind_args!(sqlx::query_as::<_, InvoiceRow>(sql), &args).fetch_all(p).await?),
    )
}

/// A party's open invoices inside a write transaction (oldest due first),
/// locked on PostgreSQL: what a payment settles when no invoice is named.
pub async fn open_invoices_in_tx(tx: &mut Tx, party_id: i64) -> Result<Vec<InvoiceRow>> {
    let base = format!(
        "{INVOICE_SELECT} WHERE i.kind = 'invoice' AND i.state = 'posted' AND i.party_id = $1 ORDER BY i.due_date, i.id"
    );
    let rows = match tx {
        Tx::Sqlite(t) => {
            sqlx::query_as::<_, InvoiceRow>(sqlx::AssertSqlSafe(base))
                .bind(party_id)
                .fetch_all(&mut **t)
                .await?
        }
        Tx::Pg(t) => {
            sqlx::query_as::<_, InvoiceRow>(sqlx::AssertSqlSafe(format!(
                "{base} FOR NO KEY UPDATE OF i"
            )))
            .bind(party_id)
            .fetch_all(&mut **t)
            .await?
        }
    };
    Ok(rows)
}

/// A payment with its customer's name.
#[derive(Debug, Clone, sqlx::FromRow, PartialEq, Eq)]
pub struct PaymentRow {
    pub id: i64,
    pub number: String,
    pub party_id: i64,
    pub party_name: String,
    pub payment_date: String,
    pub currency: String,
    pub rate_e9: i64,
    pub amount_minor: i64,
    pub unallocated_minor: i64,
    pub reference: String,
    pub bank_account_code: String,
    pub journal_entry_id: i64,
    pub posted_by: String,
    pub posted_at_us: i64,
}

const PAYMENT_SELECT: &str = "SELECT y.id, y.number, y.party_id, p.name AS party_name, y.payment_date, \
     y.currency, y.rate_e9, y.amount_minor, y.unallocated_minor, y.reference, y.bank_account_code, \
     y.journal_entry_id, y.posted_by, y.posted_at_us FROM payments y JOIN parties p ON p.id = y.party_id";

/// A payment to store.
pub struct NewPayment<'a> {
    pub number: &'a str,
    pub party_id: i64,
    pub payment_date: &'a str,
    pub currency: &'a str,
    pub rate_e9: i64,
    pub amount_minor: i64,
    pub unallocated_minor: i64,
    pub reference: &'a str,
    pub bank_account_code: &'a str,
    pub journal_entry_id: i64,
    pub posted_by: &'a str,
    pub now_us: i64,
}

/// Writes a payment and its allocations (`(invoice_id, amount_minor)`).
pub async fn insert_payment(
    tx: &mut Tx,
    new: &NewPayment<'_>,
    allocations: &[(i64, i64)],
) -> Result<i64> {
    const SQL: &str = "INSERT INTO payments (number, party_id, payment_date, currency, rate_e9, amount_minor, \
         unallocated_minor, reference, bank_account_code, journal_entry_id, posted_by, posted_at_us) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id";
    const ALLOCATION: &str = "INSERT INTO payment_allocations (payment_id, invoice_id, amount_minor) VALUES ($1, $2, $3)";
    let id = on_tx!(tx, c => sqlx::query_scalar::<_, i64>(SQL)
        .bind(new.number)
        .bind(new.party_id)
        .bind(new.payment_date)
        .bind(new.currency)
        .bind(new.rate_e9)
        .bind(new.amount_minor)
        .bind(new.unallocated_minor)
        .bind(new.reference)
        .bind(new.bank_account_code)
        .bind(new.journal_entry_id)
        .bind(new.posted_by)
        .bind(new.now_us)
        .fetch_one(c)
        .await
        .map_err(StoreError::from_insert)?);
    for (invoice_id, amount) in allocations {
        on_tx!(tx, c => sqlx::query(ALLOCATION)
            .bind(id)
            .bind(invoice_id)
            .bind(amount)
            .execute(c)
            .await
            .map_err(StoreError::from_insert)?
            .rows_affected());
    }
    Ok(id)
}

pub async fn payment(db: &Db, id: i64) -> Result<Option<PaymentRow>> {
    let sql = sqlx::AssertSqlSafe(format!("{PAYMENT_SELECT} WHERE y.id = $1"));
    Ok(on_read!(db, p => sqlx::query_as::<_, PaymentRow>(sql).bind(id).fetch_optional(p).await?))
}

pub async fn payment_in_tx(tx: &mut Tx, id: i64) -> Result<PaymentRow> {
    let sql = sqlx::AssertSqlSafe(format!("{PAYMENT_SELECT} WHERE y.id = $1"));
    let row =
        on_tx!(tx, c => sqlx::query_as::<_, PaymentRow>(sql).bind(id).fetch_optional(c).await?);
    row.ok_or(StoreError::NotFound)
}

/// One page of payments, newest first, optionally of one party.
pub async fn list_payments(
    db: &Db,
    party_id: Option<i64>,
    before: Option<i64>,
    limit: i64,
) -> Result<(Vec<PaymentRow>, Option<i64>)> {
    let limit = limit.clamp(1, PAGE_SIZE_MAX);
    let mut w = Where::new("TRUE");
    if let Some(id) = party_id {
        w.push("y.party_id = $?", Arg::Int(id));
    }
    if let Some(id) = before {
        w.push("y.id < $?", Arg::Int(id));
    }
    let sql = sqlx::AssertSqlSafe(format!(
        "{PAYMENT_SELECT} WHERE {} ORDER BY y.id DESC LIMIT {}",
        w.sql,
        limit + 1
    ));
    let mut rows = on_read!(db, p => bind_args!(sqlx::query_as::<_, PaymentRow>(sql), &w.args).fetch_all(p).await?);
    let more = rows.len() as i64 > limit;
    rows.truncate(usize::try_from(limit).unwrap_or(0));
    let next = if more {
        rows.last().map(|r| r.id)
    } else {
        None
    };
    Ok((rows, next))
}

/// An allocation with the numbers on both sides.
#[derive(Debug, Clone, sqlx::FromRow, PartialEq, Eq)]
pub struct AllocationRow {
    pub payment_id: i64,
    pub payment_number: String,
    pub payment_date: String,
    pub invoice_id: i64,
    pub invoice_number: Option<String>,
    pub amount_minor: i64,
}

const ALLOCATION_SELECT: &str = "SELECT a.payment_id, y.number AS payment_number, y.payment_date, \
     a.invoice_id, i.number AS invoice_number, a.amount_minor FROM payment_allocations a \
     JOIN payments y ON y.id = a.payment_id JOIN invoices i ON i.id = a.invoice_id";

/// What a payment settled.
pub async fn allocations_of_payment(db: &Db, payment_id: i64) -> Result<Vec<AllocationRow>> {
    let sql = sqlx::AssertSqlSafe(format!(
        "{ALLOCATION_SELECT} WHERE a.payment_id = $1 ORDER BY a.invoice_id"
    ));
    Ok(
        on_read!(db, p => sqlx::query_as::<_, AllocationRow>(sql).bind(payment_id).fetch_all(p).await?),
    )
}

/// The payments that settled an invoice, oldest first.
pub async fn allocations_of_invoice(db: &Db, invoice_id: i64) -> Result<Vec<AllocationRow>> {
    let sql = sqlx::AssertSqlSafe(format!(
        "{ALLOCATION_SELECT} WHERE a.invoice_id = $1 ORDER BY a.payment_id"
    ));
    Ok(
        on_read!(db, p => sqlx::query_as::<_, AllocationRow>(sql).bind(invoice_id).fetch_all(p).await?),
    )
}

/// A party's money position in one currency, from its documents' and
/// payments' maintained totals: what it owes on posted invoices and its
/// credit balance (unallocated payments, credit notes beyond what was due).
#[derive(Debug, Clone, Default, PartialEq, Eq, sqlx::FromRow)]
pub struct PartyBalance {
    pub currency: String,
    pub due_minor: i64,
    pub credit_minor: i64,
}

/// Per currency: what a party owes and its credit balance, in two indexed
/// aggregate queries whatever its history.
pub async fn party_balances(db: &Db, party_id: i64) -> Result<Vec<PartyBalance>> {
    const DUE: &str = "SELECT currency, CAST(COALESCE(SUM(total_minor - settled_minor), 0) AS BIGINT) \
         FROM invoices WHERE party_id = $1 AND kind = 'invoice' AND state = 'posted' GROUP BY currency";
    const CREDIT: &str = "SELECT currency, CAST(SUM(amount) AS BIGINT) FROM ( \
         SELECT currency, unallocated_minor AS amount FROM payments WHERE party_id = $1 AND unallocated_minor > 0 \
         UNION ALL SELECT currency, total_minor - settled_minor AS amount FROM invoices \
         WHERE party_id = $1 AND kind = 'credit_note' AND state = 'posted' \
         ) t GROUP BY currency";
    let due: Vec<(String, i64)> =
        on_read!(db, p => sqlx::query_as(DUE).bind(party_id).fetch_all(p).await?);
    let credit: Vec<(String, i64)> =
        on_read!(db, p => sqlx::query_as(CREDIT).bind(party_id).fetch_all(p).await?);
    let mut out: Vec<PartyBalance> = Vec::new();
    for (currency, minor) in due {
        out.push(PartyBalance {
            currency,
            due_minor: minor,
            credit_minor: 0,
        });
    }
    for (currency, minor) in credit {
        match out.iter_mut().find(|b| b.currency == currency) {
            Some(b) => b.credit_minor = minor,
            None => out.push(PartyBalance {
                currency,
                due_minor: 0,
                credit_minor: minor,
            }),
        }
    }
    out.sort_by(|a, b| a.currency.cmp(&b.currency));
    Ok(out)
}

/// What a statement lists: every posted document and payment of a party,
/// oldest first, as `(date, kind, number, id, debit, credit, currency)`.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct StatementRow {
    pub date: String,
    /// `invoice`, `credit_note` or `payment`.
    pub kind: String,
    pub number: String,
    pub id: i64,
    pub currency: String,
    pub debit_minor: i64,
    pub credit_minor: i64,
}

/// A party's posted documents and payments dated `from`..=`to`, oldest
/// first, and what it owed before `from` per currency.
pub async fn statement_rows(
    db: &Db,
    party_id: i64,
    from: &str,
    to: &str,
) -> Result<(Vec<StatementRow>, Vec<(String, i64)>)> {
    // On one day: invoices, then credit notes, then payments.
    const ROWS: &str = "SELECT issue_date AS date, kind, number, id, currency, \
         CASE WHEN kind = 'invoice' THEN total_minor ELSE 0 END AS debit_minor, \
         CASE WHEN kind = 'credit_note' THEN total_minor ELSE 0 END AS credit_minor, \
         CASE WHEN kind = 'invoice' THEN 0 ELSE 1 END AS day_order \
         FROM invoices WHERE party_id = $1 AND state IN ('posted', 'paid') AND issue_date >= $2 AND issue_date <= $3 \
         UNION ALL SELECT payment_date AS date, 'payment' AS kind, number, id, currency, 0 AS debit_minor, \
         amount_minor AS credit_minor, 2 AS day_order FROM payments \
         WHERE party_id = $1 AND payment_date >= $2 AND payment_date <= $3 \
         ORDER BY date, day_order, id";
    const OPENING: &str = "SELECT currency, CAST(SUM(amount) AS BIGINT) FROM ( \
         SELECT currency, CASE WHEN kind = 'invoice' THEN total_minor ELSE -total_minor END AS amount \
         FROM invoices WHERE party_id = $1 AND state IN ('posted', 'paid') AND issue_date < $2 \
         UNION ALL SELECT currency, -amount_minor AS amount FROM payments WHERE party_id = $1 AND payment_date < $2 \
         ) t GROUP BY currency ORDER BY currency";
    let rows = on_read!(db, p => sqlx::query_as::<_, StatementRow>(ROWS).bind(party_id).bind(from).bind(to).fetch_all(p).await?);
    let opening = on_read!(db, p => sqlx::query_as::<_, (String, i64)>(OPENING).bind(party_id).bind(from).fetch_all(p).await?);
    Ok((rows, opening))
}

/// Sets the rate of a currency on a date (replacing one set before).
pub async fn set_rate(
    tx: &mut Tx,
    currency: &str,
    date: &str,
    rate_e9: i64,
    by: &str,
    now_us: i64,
) -> Result<()> {
    const SQL: &str = "INSERT INTO exchange_rates (currency, rate_date, rate_e9, created_by, created_at_us) \
         VALUES ($1, $2, $3, $4, $5) ON CONFLICT (currency, rate_date) \
         DO UPDATE SET rate_e9 = excluded.rate_e9, created_by = excluded.created_by, created_at_us = excluded.created_at_us";
    on_tx!(tx, c => sqlx::query(SQL).bind(currency).bind(date).bind(rate_e9).bind(by).bind(now_us).execute(c).await?.rows_affected());
    Ok(())
}

/// The rate of `currency` that applies on `date`: the latest set on or before it.
pub async fn rate_on_in_tx(
    tx: &mut Tx,
    currency: &str,
    date: &str,
) -> Result<Option<(String, i64)>> {
    const SQL: &str = "SELECT rate_date, rate_e9 FROM exchange_rates WHERE currency = $1 AND rate_date <= $2 \
         ORDER BY rate_date DESC LIMIT 1";
    Ok(
        on_tx!(tx, c => sqlx::query_as::<_, (String, i64)>(SQL).bind(currency).bind(date).fetch_optional(c).await?),
    )
}

/// A dated rate as stored.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct RateRow {
    pub currency: String,
    pub rate_date: String,
    pub rate_e9: i64,
    pub created_by: String,
}

/// The latest `limit` rates, newest first.
pub async fn rates(db: &Db, limit: i64) -> Result<Vec<RateRow>> {
    const SQL: &str = "SELECT currency, rate_date, rate_e9, created_by FROM exchange_rates \
         ORDER BY rate_date DESC, currency LIMIT $1";
    Ok(
        on_read!(db, p => sqlx::query_as::<_, RateRow>(SQL).bind(limit.clamp(1, PAGE_SIZE_MAX)).fetch_all(p).await?),
    )
}

/// What an invoice line takes from its product: `(id, unit, revenue account code)`.
pub async fn product_billing(tx: &mut Tx, ids: &[i64]) -> Result<Vec<(i64, String, String)>> {
    let mut found = Vec::new();
    for chunk in ids.chunks(500) {
        let sql = sqlx::AssertSqlSafe(format!(
            "SELECT id, unit, revenue_account_code FROM products WHERE id IN ({})",
            crate::parties::placeholders(chunk.len())
        ));
        let rows: Vec<(i64, String, String)> = on_tx!(tx, c => {
            let mut q = sqlx::query_as::<_, (i64, String, String)>(sql);
            for id in chunk {
                q = q.bind(*id);
            }
            q.fetch_all(c).await?
        });
        found.extend(rows);
    }
    Ok(found)
}

/// An invoice as the aging report sees it at a date.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct AgingItem {
    pub id: i64,
    pub number: Option<String>,
    pub party_id: i64,
    pub party_name: String,
    pub due_date: String,
    pub currency: String,
    pub rate_e9: i64,
    pub total_minor: i64,
    pub total_company_minor: i64,
    /// What was still due at the date.
    pub due_minor: i64,
}

/// Every invoice issued on or before `at` that was not settled by then,
/// with what was due at `at`. Reads the open invoices and those settled
/// after `at` (both indexed), never the whole history.
pub async fn aging_items(db: &Db, at: &str) -> Result<Vec<AgingItem>> {
    const SQL: &str = "SELECT i.id, i.number, i.party_id, p.name AS party_name, i.due_date, i.currency, \
         i.rate_e9, i.total_minor, i.total_company_minor, CAST(i.total_minor \
         - COALESCE((SELECT SUM(a.amount_minor) FROM payment_allocations a JOIN payments y ON y.id = a.payment_id \
             WHERE a.invoice_id = i.id AND y.payment_date <= $1), 0) \
         - COALESCE((SELECT SUM(c.settled_minor) FROM invoices c WHERE c.credited_invoice_id = i.id \
             AND c.state IN ('posted', 'paid') AND c.issue_date <= $1), 0) AS BIGINT) AS due_minor \
         FROM invoices i JOIN parties p ON p.id = i.party_id \
         WHERE i.id IN (SELECT id FROM invoices WHERE kind = 'invoice' AND state = 'posted' \
             UNION ALL SELECT id FROM invoices WHERE settled_date > $1 AND kind = 'invoice' AND state = 'paid') \
         AND i.issue_date <= $1 ORDER BY p.name, i.party_id, i.due_date, i.id";
    let rows = on_read!(db, p => sqlx::query_as::<_, AgingItem>(SQL).bind(at).fetch_all(p).await?);
    Ok(rows.into_iter().filter(|r| r.due_minor > 0).collect())
}
