//! The customer portal: what a customer's own login may see and do — their
//! orders and how far they have shipped, their issued invoices and credit
//! notes (with PDF and UBL), their payments, and their contact details.
//!
//! Invariant: every function needs `portal.use` and takes the party from the
//! actor, never from input. A record of another party answers
//! [`AppError::NotFound`], so a guessed id reveals nothing; drafts are never
//! shown. Portal users hold no staff permission: these functions read the
//! store directly, through the same internals the staff use cases use.

use seam_domain::access::Permission;
use seam_domain::ids::PartyId;
use seam_domain::invoice::InvoiceState;
use seam_domain::party::{self, PartyDraft};
use seam_domain::sales::{OrderState, Totals};
use seam_store::invoices::{self as invoice_store, InvoiceFilter};
use seam_store::parties as party_store;
use seam_store::sales::{self as sales_store, OrderFilter};
use seam_store::shipments::{self as shipment_store, ShipmentRow};

use crate::customer_view::{self, InvoiceDue, OrderProgress, SECTION_ROWS};
use crate::invoicing::{self, InvoiceDetail, InvoiceRow, PartyBalance, PaymentRow};
use crate::parties::{PartyRow, party_json};
use crate::sales::{LineRow, OrderRow};
use crate::{Actor, App, AppError, AppResult, Change, now_us, record, today};

/// Rows per page of the portal's lists.
pub const PAGE_SIZE: i64 = 50;
/// How many recent orders the overview shows.
pub const RECENT_ORDERS: i64 = 10;

/// The customer's own party; the one check every portal function starts with.
fn my_party_id(actor: &Actor) -> AppResult<PartyId> {
    actor.require(Permission::PortalUse)?;
    actor.party_id.ok_or(AppError::NotFound)
}

/// The start page of the portal.
#[derive(Debug, Clone)]
pub struct Overview {
    pub party: PartyRow,
    /// What is owed and held in credit, per currency.
    pub balances: Vec<PartyBalance>,
    /// Posted invoices with something due, with days past due.
    pub open_invoices: Vec<InvoiceDue>,
    pub recent_orders: Vec<OrderProgress>,
}

/// Needs `portal.use`. A fixed number of queries.
pub async fn overview(app: &App, actor: &Actor) -> AppResult<Overview> {
    let party_id = my_party_id(actor)?;
    let party = party_store::party(&app.db, party_id.0)
        .await?
        .ok_or(AppError::NotFound)?;
    let balances = invoice_store::party_balances(&app.db, party_id.0).await?;
    let open_filter = InvoiceFilter {
        party_id: Some(party_id.0),
        open: true,
        ..InvoiceFilter::default()
    };
    let (open, _) = invoice_store::list_invoices(&app.db, &open_filter, None, SECTION_ROWS).await?;
    let today = today();
    let open_invoices = open
        .into_iter()
        .map(|invoice| customer_view::invoice_due(invoice, today))
        .collect();
    let (orders, _) =
        sales_store::list_orders(&app.db, &orders_of(party_id), None, RECENT_ORDERS).await?;
    let recent_orders = customer_view::with_progress(app, orders).await?;
    Ok(Overview {
        party,
        balances,
        open_invoices,
        recent_orders,
    })
}

fn orders_of(party: PartyId) -> OrderFilter {
    OrderFilter {
        party_id: Some(party.0),
        placed_only: true,
        ..OrderFilter::default()
    }
}

/// One page of the customer's orders (never drafts), newest first, after
/// the order `before`; the second value is where the next page starts.
/// Needs `portal.use`.
pub async fn my_orders(
    app: &App,
    actor: &Actor,
    before: Option<i64>,
    limit: i64,
) -> AppResult<(Vec<OrderProgress>, Option<i64>)> {
    let party_id = my_party_id(actor)?;
    let (rows, next) =
        sales_store::list_orders(&app.db, &orders_of(party_id), before, limit).await?;
    Ok((customer_view::with_progress(app, rows).await?, next))
}

/// An order line with what has been shipped of it.
#[derive(Debug, Clone)]
pub struct MyOrderLine {
    pub line: LineRow,
    pub shipped_qty: i64,
}

/// An order as its customer sees it.
#[derive(Debug, Clone)]
pub struct MyOrder {
    pub order: OrderRow,
    pub lines: Vec<MyOrderLine>,
    pub totals: Totals,
    /// With their tracking references, oldest first.
    pub shipments: Vec<ShipmentRow>,
}

impl MyOrder {
    /// `none`, `partly` or `all`, as [`OrderProgress::fulfilment`].
    pub fn fulfilment(&self) -> &'static str {
        let goods = self.lines.iter().filter(|l| l.line.kind == "goods");
        let (ordered, shipped) = goods.fold((0, 0), |(o, s), l| {
            (o + l.line.qty, s + l.shipped_qty.min(l.line.qty))
        });
        match (shipped, ordered) {
            (0, _) => "none",
            (s, o) if s < o => "partly",
            _ => "all",
        }
    }
}

/// Needs `portal.use`. Errors: [`AppError::NotFound`] for a draft or an
/// order of another party.
pub async fn my_order(app: &App, actor: &Actor, id: i64) -> AppResult<MyOrder> {
    let party_id = my_party_id(actor)?;
    let order = sales_store::order(&app.db, id)
        .await?
        .filter(|o| o.party_id == party_id.0 && o.state != OrderState::Draft.name())
        .ok_or(AppError::NotFound)?;
    let detail = crate::sales::detail_of(app, order).await?;
    let shipped = shipment_store::shipped_qty(&app.db, id).await?;
    let shipments = shipment_store::shipments(&app.db, id).await?;
    let lines = detail
        .lines
        .into_iter()
        .map(|line| {
            let shipped_qty = shipped
                .iter()
                .find(|(no, _)| *no == line.line_no)
                .map_or(0, |(_, qty)| *qty);
            MyOrderLine { line, shipped_qty }
        })
        .collect();
    Ok(MyOrder {
        order: detail.order,
        lines,
        totals: detail.totals,
        shipments,
    })
}

/// One page of the customer's issued invoices and credit notes (never
/// drafts), newest first. Needs `portal.use`.
pub async fn my_invoices(
    app: &App,
    actor: &Actor,
    before: Option<i64>,
    limit: i64,
) -> AppResult<(Vec<InvoiceRow>, Option<i64>)> {
    let party_id = my_party_id(actor)?;
    let filter = InvoiceFilter {
        party_id: Some(party_id.0),
        issued_only: true,
        ..InvoiceFilter::default()
    };
    Ok(invoice_store::list_invoices(&app.db, &filter, before, limit).await?)
}

/// A posted or paid document is one the customer has been sent.
fn issued(row: &InvoiceRow) -> bool {
    matches!(
        invoicing::state_of_invoice(row),
        InvoiceState::Posted | InvoiceState::Paid
    )
}

/// Needs `portal.use`. Errors: [`AppError::NotFound`] for a draft, a
/// cancelled draft or a document of another party.
pub async fn my_invoice(app: &App, actor: &Actor, id: i64) -> AppResult<InvoiceDetail> {
    let party_id = my_party_id(actor)?;
    let row = invoice_store::invoice(&app.db, id)
        .await?
        .filter(|i| i.party_id == party_id.0 && issued(i))
        .ok_or(AppError::NotFound)?;
    let mut detail = invoicing::detail(app, row).await?;
    detail.credit_notes.retain(issued);
    // The ledger is the business's own books, not the customer's.
    detail.journal_entry_number = None;
    Ok(detail)
}

/// The customer's document as a PDF. Needs `portal.use`; errors as [`my_invoice`].
pub async fn my_invoice_pdf(app: &App, actor: &Actor, id: i64) -> AppResult<Vec<u8>> {
    let detail = my_invoice(app, actor, id).await?;
    let doc = invoicing::build_document(app, &detail).await?;
    invoicing::pdf_of(doc, id).await
}

/// The customer's document as EN 16931 UBL XML. Needs `portal.use`; errors
/// as [`my_invoice`] and [`invoicing::ubl`].
pub async fn my_invoice_ubl(app: &App, actor: &Actor, id: i64) -> AppResult<String> {
    let detail = my_invoice(app, actor, id).await?;
    let doc = invoicing::build_document(app, &detail).await?;
    invoicing::ubl_of(&doc, id)
}

/// One page of the customer's payments, newest first. Needs `portal.use`.
pub async fn my_payments(
    app: &App,
    actor: &Actor,
    before: Option<i64>,
    limit: i64,
) -> AppResult<(Vec<PaymentRow>, Option<i64>)> {
    let party_id = my_party_id(actor)?;
    Ok(invoice_store::list_payments(&app.db, Some(party_id.0), before, limit).await?)
}

/// The contact details a customer keeps up to date themselves; everything
/// else about the party (name, tax id, notes...) stays with the staff.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DetailsInput {
    pub email: String,
    pub phone: String,
    pub street: String,
    pub postal_code: String,
    pub city: String,
    pub country: String,
}

impl DetailsInput {
    /// The details as they are now, to fill the form.
    pub fn of(row: &PartyRow) -> DetailsInput {
        DetailsInput {
            email: row.email.clone().unwrap_or_default(),
            phone: row.phone.clone().unwrap_or_default(),
            street: row.street.clone().unwrap_or_default(),
            postal_code: row.postal_code.clone().unwrap_or_default(),
            city: row.city.clone().unwrap_or_default(),
            country: row.country.clone().unwrap_or_default(),
        }
    }
}

/// The party as it is, with the contact details replaced.
fn draft_with(row: &PartyRow, input: &DetailsInput) -> PartyDraft {
    PartyDraft {
        kind: row.kind.clone(),
        name: row.name.clone(),
        company_id: row.company_id,
        email: input.email.clone(),
        phone: input.phone.clone(),
        tax_id: row.tax_id.clone().unwrap_or_default(),
        street: input.street.clone(),
        postal_code: input.postal_code.clone(),
        city: input.city.clone(),
        country: input.country.clone(),
        is_customer: row.is_customer,
        is_vendor: row.is_vendor,
        tags: row.tags.clone(),
        notes: row.notes.clone().unwrap_or_default(),
    }
}

/// Saves the customer's contact details edited from `version` of their
/// party, in one transaction with its audit event. Needs `portal.use`.
///
/// Errors: [`AppError::Invalid`] naming the field; [`AppError::Conflict`]
/// (`error-stale`) when the party was saved in between.
pub async fn update_my_details(
    app: &App,
    actor: &Actor,
    version: i64,
    input: &DetailsInput,
) -> AppResult<()> {
    let party_id = my_party_id(actor)?;
    let mut tx = app.db.begin().await?;
    let before = party_store::party_in_tx(&mut tx, party_id.0).await?;
    let valid = party::validate(&draft_with(&before, input))?;
    party_store::update_party(&mut tx, party_id.0, version, &valid, now_us()).await?;
    let after = party_store::party_in_tx(&mut tx, party_id.0).await?;
    record(
        &mut tx,
        actor,
        Change {
            entity_type: "party",
            entity_id: party_id.to_string(),
            action: "update",
            before: Some(party_json(&before)),
            after: Some(party_json(&after)),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}
