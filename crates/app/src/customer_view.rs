//! The 360° customer view: everything the front desk needs about one party
//! on one page — contacts and timeline, quotes, orders with how far they
//! have shipped, invoices with what is due and how late, payments, and the
//! balance, and the tickets the service desk handles for it. Each section
//! is shown only to roles that may read it.
//!
//! Invariant: the view costs a fixed number of reads whatever the party's
//! history: every list is one bounded query (the newest few), progress and
//! balances are one aggregate query each, never one query per row.

use std::collections::HashMap;

use seam_domain::access::Permission;
use seam_domain::ids::PartyId;
use seam_domain::invoice::days_between;
use seam_domain::ledger::Date;
use seam_store::invoices::{self as invoice_store, InvoiceFilter};
use seam_store::shipments as shipment_store;

use crate::invoicing::{InvoiceRow, PartyBalance, PaymentRow};
use crate::parties::{self, PartyDetail};
use crate::quotes::{self, QuoteRow};
use crate::sales::{self, OrderRow};
use crate::{Actor, App, AppResult, today};

/// How many rows each list of the view shows; the full lists are a click away.
pub const SECTION_ROWS: i64 = 20;

/// An order and how far it has shipped.
#[derive(Debug, Clone)]
pub struct OrderProgress {
    pub order: OrderRow,
    pub ordered_qty: i64,
    pub shipped_qty: i64,
}

impl OrderProgress {
    /// `none`, `partly` or `all`: what the warehouse has sent of it.
    pub fn fulfilment(&self) -> &'static str {
        match (self.shipped_qty, self.ordered_qty) {
            (0, _) => "none",
            (s, o) if s < o => "partly",
            _ => "all",
        }
    }
}

/// An invoice and how many days past due it is (zero or less: not yet due).
#[derive(Debug, Clone)]
pub struct InvoiceDue {
    pub invoice: InvoiceRow,
    pub days_overdue: i64,
}

/// The money sections of the view: what is open, the latest documents and
/// payments, and the balance per currency.
#[derive(Debug, Clone, Default)]
pub struct Receivables {
    pub open: Vec<InvoiceDue>,
    pub recent: Vec<InvoiceRow>,
    pub payments: Vec<PaymentRow>,
    pub balances: Vec<PartyBalance>,
}

/// One party as the front desk sees it. A section is `None` when the actor
/// may not read it or the party is no customer.
#[derive(Debug, Clone)]
pub struct CustomerView {
    pub detail: PartyDetail,
    pub quotes: Option<Vec<QuoteRow>>,
    pub orders: Option<Vec<OrderProgress>>,
    pub receivables: Option<Receivables>,
    /// The customer's newest tickets, for the service desk.
    pub tickets: Option<Vec<crate::service::TicketRow>>,
}

/// Needs `parties.read`; the sections need `sales.order.read` and `invoices.read`.
pub async fn customer_view(app: &App, actor: &Actor, party: PartyId) -> AppResult<CustomerView> {
    let detail = parties::party_detail(app, actor, party).await?;
    let customer = detail.party.is_customer;
    let sales_visible = customer && actor.may(Permission::SalesOrderRead);
    let quotes = if sales_visible {
        Some(quotes::customer_quotes(app, actor, party).await?)
    } else {
        None
    };
    let orders = if sales_visible {
        let rows = sales::customer_orders(app, actor, party).await?;
        Some(with_progress(app, rows).await?)
    } else {
        None
    };
    let receivables = if customer && actor.may(Permission::InvoicesRead) {
        Some(receivables(app, party, today()).await?)
    } else {
        None
    };
    let tickets = if customer && actor.may(Permission::ServiceUse) {
        Some(crate::service::party_tickets(app, actor, party, SECTION_ROWS).await?)
    } else {
        None
    };
    Ok(CustomerView {
        detail,
        quotes,
        orders,
        receivables,
        tickets,
    })
}

/// Orders with how far each has shipped, in one aggregate query.
pub(crate) async fn with_progress(app: &App, rows: Vec<OrderRow>) -> AppResult<Vec<OrderProgress>> {
    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    let progress: HashMap<i64, (i64, i64)> = shipment_store::order_progress(&app.db, &ids)
        .await?
        .into_iter()
        .map(|(id, ordered, shipped)| (id, (ordered, shipped)))
        .collect();
    Ok(rows
        .into_iter()
        .map(|order| {
            let (ordered_qty, shipped_qty) = progress.get(&order.id).copied().unwrap_or((0, 0));
            OrderProgress {
                order,
                ordered_qty,
                shipped_qty,
            }
        })
        .collect())
}

/// An open invoice with its days past due on `today`.
pub(crate) fn invoice_due(invoice: InvoiceRow, today: Date) -> InvoiceDue {
    let days_overdue = Date::parse(&invoice.due_date)
        .map(|due| days_between(due, today))
        .unwrap_or(0);
    InvoiceDue {
        invoice,
        days_overdue,
    }
}

async fn receivables(app: &App, party: PartyId, today: Date) -> AppResult<Receivables> {
    let open_filter = InvoiceFilter {
        party_id: Some(party.0),
        open: true,
        ..InvoiceFilter::default()
    };
    let (open, _) = invoice_store::list_invoices(&app.db, &open_filter, None, SECTION_ROWS).await?;
    let recent_filter = InvoiceFilter {
        party_id: Some(party.0),
        ..InvoiceFilter::default()
    };
    let (recent, _) =
        invoice_store::list_invoices(&app.db, &recent_filter, None, SECTION_ROWS).await?;
    let (payments, _) =
        invoice_store::list_payments(&app.db, Some(party.0), None, SECTION_ROWS).await?;
    let balances = invoice_store::party_balances(&app.db, party.0).await?;
    let open = open
        .into_iter()
        .map(|invoice| invoice_due(invoice, today))
        .collect();
    Ok(Receivables {
        open,
        recent,
        payments,
        balances,
    })
}
