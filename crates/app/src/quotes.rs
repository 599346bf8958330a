//! Sales quotes: a draft offer to a customer with lines like an order's,
//! edited while a draft, sent (numbered `QU-2026-000001`), then accepted or
//! declined while still valid.
//!
//! The lines are checked by the order's own rules
//! ([`crate::sales`]'s customer and line checks, which call
//! [`seam_domain::sales::validate_line`]) and totalled per VAT rate by
//! [`seam_domain::sales::totals`]. Accepting a quote is one transaction: the
//! sales-order use case writes a draft order with the quote's lines exactly
//! as quoted (product, quantity, price, VAT rate), the quote becomes
//! accepted and keeps the order's id, and both audit events are appended.
//! A sent quote past its valid-until date reads as expired
//! ([`QuoteState::effective`]); accepting or declining it is refused.

use seam_domain::FieldErrors;
use seam_domain::access::Permission;
use seam_domain::ids::{PartyId, SalesOrderId, SalesQuoteId};
use seam_domain::ledger::Date;
use seam_domain::quote::{self, IllegalTransition, QuoteState};
use seam_domain::sales::{self as sales_rules, Totals, ValidLine};
use seam_store::Tx;
use seam_store::quotes as store;
pub use seam_store::quotes::{QuoteLineRow, QuoteRow};
use serde_json::json;

mod document;

pub use document::{document, pdf};

pub use crate::sales::LineInput;
use crate::{Actor, App, AppError, AppResult, Change, now_us, record};

/// How many quotes the customer's page lists.
pub const CUSTOMER_QUOTES_MAX: i64 = 10;

/// A quote as typed. Lines that are wholly blank are skipped (a form's
/// unused rows); errors name a line by its position in `lines`, from 1.
#[derive(Debug, Clone, Default)]
pub struct QuoteInput {
    pub customer: Option<PartyId>,
    /// `YYYY-MM-DD`; empty for today.
    pub quote_date: String,
    /// `YYYY-MM-DD`; empty for 30 days after the quote date.
    pub valid_until: String,
    /// Empty for the currency of the customer's price list, or else of the first product.
    pub currency: String,
    pub lines: Vec<LineInput>,
}

/// What a quote list shows; every field narrows.
#[derive(Debug, Clone, Copy, Default)]
pub struct QuoteFilter {
    /// The state as it stands today: `sent` leaves out expired quotes and
    /// `expired` finds sent quotes past their date.
    pub state: Option<QuoteState>,
    pub party: Option<PartyId>,
}

/// A quote with its lines and VAT breakdown.
#[derive(Debug, Clone)]
pub struct QuoteDetail {
    pub quote: QuoteRow,
    pub lines: Vec<QuoteLineRow>,
    pub totals: Totals,
    /// The state as it stands today.
    pub state: QuoteState,
}

/// Today in UTC, the day quotes expire by.
pub fn today() -> Date {
    crate::today()
}

/// The quote's state as it stands today: a sent quote past its valid-until
/// date is expired. An unknown text (impossible under the schema's check)
/// reads as declined.
pub fn state_of(quote: &QuoteRow) -> QuoteState {
    QuoteState::parse(&quote.state)
        .unwrap_or(QuoteState::Declined)
        .effective(&quote.valid_until, &today().iso())
}

/// What the audit journal keeps of a quote.
pub fn quote_json(q: &QuoteRow, lines: &[QuoteLineRow]) -> serde_json::Value {
    json!({
        "number": q.number,
        "party_id": q.party_id,
        "state": q.state,
        "quote_date": q.quote_date,
        "valid_until": q.valid_until,
        "currency": q.currency,
        "net_minor": q.net_minor,
        "vat_minor": q.vat_minor,
        "total_minor": q.total_minor,
        "lines": lines.iter().map(|l| json!({
            "sku": l.sku,
            "qty": l.qty,
            "unit_price_minor": l.unit_price_minor,
            "tax_rate": l.tax_rate_code,
            "line_net_minor": l.line_net_minor,
        })).collect::<Vec<_>>(),
    })
}

fn illegal(_: IllegalTransition) -> AppError {
    AppError::Conflict(IllegalTransition::CODE)
}

/// Checks the customer, the dates, the currency and every line.
async fn validate(
    tx: &mut Tx,
    input: &QuoteInput,
) -> AppResult<(i64, Date, Date, String, Vec<ValidLine>)> {
    let mut errors = FieldErrors::new();
    let dates = match quote::validate_dates(&input.quote_date, &input.valid_until, today()) {
        Ok(d) => Some(d),
        Err(e) => {
            errors.extend(e);
            None
        }
    };
    let (customer, currency, lines) = crate::sales::validate_parts(
        tx,
        input.customer,
        &input.currency,
        &input.lines,
        &mut errors,
    )
    .await?;
    match (customer, dates) {
        (Some(c), Some((date, until))) if errors.is_empty() => {
            Ok((c, date, until, currency, lines))
        }
        _ => Err(AppError::Invalid(errors)),
    }
}

fn new_lines(lines: &[ValidLine]) -> Vec<store::NewQuoteLine<'_>> {
    lines
        .iter()
        .map(|l| store::NewQuoteLine {
            product_id: l.product_id,
            description: &l.description,
            qty: l.qty,
            unit_price_minor: l.unit_price_minor,
            tax_rate_code: &l.tax_rate_code,
            vat_basis_points: l.vat_basis_points,
            line_net_minor: l.line_net_minor,
        })
        .collect()
}

fn line_totals(lines: &[QuoteLineRow]) -> Totals {
    sales_rules::totals(lines.iter().map(|l| {
        (
            l.line_net_minor,
            l.tax_rate_code.as_str(),
            l.vat_basis_points,
        )
    }))
}

async fn record_change(
    tx: &mut Tx,
    actor: &Actor,
    id: i64,
    action: &str,
    before: Option<serde_json::Value>,
    after: serde_json::Value,
) -> AppResult<()> {
    record(
        tx,
        actor,
        Change {
            entity_type: "sales_quote",
            entity_id: id.to_string(),
            action,
            before,
            after: Some(after),
        },
    )
    .await?;
    Ok(())
}

/// Creates a draft quote for a customer. Needs `sales.order.write`.
///
/// Errors: [`AppError::Invalid`] naming `customer` (`error-not-a-customer`),
/// `quote_date`, `valid_until`, `currency`, `lines` or
/// `lines[n].product|qty|unit_price`.
pub async fn create_quote(app: &App, actor: &Actor, input: &QuoteInput) -> AppResult<SalesQuoteId> {
    let mut tx = app.db.begin().await?;
    let id = create_quote_in(&mut tx, actor, input).await?;
    tx.commit().await?;
    Ok(id)
}

/// [`create_quote`] inside the caller's transaction, for a use case whose
/// other writes stand or fall with the quote (a won opportunity).
pub(crate) async fn create_quote_in(
    tx: &mut Tx,
    actor: &Actor,
    input: &QuoteInput,
) -> AppResult<SalesQuoteId> {
    actor.require(Permission::SalesOrderWrite)?;
    let (party_id, date, until, currency, lines) = validate(tx, input).await?;
    let totals = crate::sales::totals_of(&lines);
    let (date, until) = (date.iso(), until.iso());
    let header = store::QuoteHeader {
        party_id,
        quote_date: &date,
        valid_until: &until,
        currency: &currency,
        net_minor: totals.net_minor,
        vat_minor: totals.vat_minor,
    };
    let id = store::insert_quote(tx, &header, &actor.username, now_us()).await?;
    store::replace_lines(tx, id, &new_lines(&lines)).await?;
    let after = store::quote_in_tx(tx, id).await?;
    let rows = store::lines_in_tx(tx, id).await?;
    record_change(tx, actor, id, "create", None, quote_json(&after, &rows)).await?;
    Ok(SalesQuoteId(id))
}

/// Replaces a draft's customer, dates and lines, if it still has `version`.
/// Needs `sales.order.write`.
///
/// Errors: as [`create_quote`]; [`AppError::Conflict`] with `error-stale`
/// when it changed since, `error-quote-state` when it is no longer a draft.
pub async fn update_quote(
    app: &App,
    actor: &Actor,
    id: SalesQuoteId,
    version: i64,
    input: &QuoteInput,
) -> AppResult<()> {
    actor.require(Permission::SalesOrderWrite)?;
    let mut tx = app.db.begin().await?;
    let before = store::quote_in_tx(&mut tx, id.0).await?;
    state_of(&before).edit().map_err(illegal)?;
    if before.version != version {
        return Err(AppError::Conflict("error-stale"));
    }
    let before_lines = store::lines_in_tx(&mut tx, id.0).await?;
    let (party_id, date, until, currency, lines) = validate(&mut tx, input).await?;
    let totals = crate::sales::totals_of(&lines);
    let (date, until) = (date.iso(), until.iso());
    let header = store::QuoteHeader {
        party_id,
        quote_date: &date,
        valid_until: &until,
        currency: &currency,
        net_minor: totals.net_minor,
        vat_minor: totals.vat_minor,
    };
    store::update_draft(&mut tx, id.0, version, &header, now_us()).await?;
    store::replace_lines(&mut tx, id.0, &new_lines(&lines)).await?;
    let after = store::quote_in_tx(&mut tx, id.0).await?;
    let after_lines = store::lines_in_tx(&mut tx, id.0).await?;
    record_change(
        &mut tx,
        actor,
        id.0,
        "update",
        Some(quote_json(&before, &before_lines)),
        quote_json(&after, &after_lines),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Sends a draft: gives it the next number of the year (`QU-2026-000001`),
/// gaplessly. `version`, when given, must match. Needs `sales.order.write`.
///
/// Errors: [`AppError::Invalid`] naming `valid_until`
/// (`error-quote-valid-until-past`) when the quote would be expired at once;
/// [`AppError::Conflict`] with `error-quote-state` unless a draft, or `error-stale`.
pub async fn send_quote(
    app: &App,
    actor: &Actor,
    id: SalesQuoteId,
    version: Option<i64>,
) -> AppResult<QuoteRow> {
    send_quote_on(app, actor, id, version, today()).await
}

/// [`send_quote`] as if today were `today`: the demo sends its quotes on
/// their own dates, so that some of them have expired since.
pub(crate) async fn send_quote_on(
    app: &App,
    actor: &Actor,
    id: SalesQuoteId,
    version: Option<i64>,
    today: Date,
) -> AppResult<QuoteRow> {
    actor.require(Permission::SalesOrderWrite)?;
    let mut tx = app.db.begin().await?;
    let before = store::quote_in_tx(&mut tx, id.0).await?;
    let stored = QuoteState::parse(&before.state).unwrap_or(QuoteState::Declined);
    let to = stored.send().map_err(illegal)?;
    if version.is_some_and(|v| v != before.version) {
        return Err(AppError::Conflict("error-stale"));
    }
    if quote::is_past(&before.valid_until, &today.iso()) {
        return Err(AppError::Invalid(FieldErrors::one(
            "valid_until",
            "error-quote-valid-until-past",
        )));
    }
    let seq = seam_store::ledger::next_number(&mut tx, &quote::series(today.year)).await?;
    let number = quote::quote_number(today.year, seq);
    let change = store::StateChange {
        number: Some(&number),
        ..store::StateChange::default()
    };
    store::set_state(
        &mut tx,
        id.0,
        before.version,
        QuoteState::Draft.name(),
        to.name(),
        change,
        now_us(),
    )
    .await?;
    let after = store::quote_in_tx(&mut tx, id.0).await?;
    let lines = store::lines_in_tx(&mut tx, id.0).await?;
    record_change(
        &mut tx,
        actor,
        id.0,
        "send",
        Some(json!({ "state": before.state })),
        quote_json(&after, &lines),
    )
    .await?;
    tx.commit().await?;
    Ok(after)
}

/// Accepts a sent quote that has not expired: the sales-order use case
/// creates a draft order for the quote's customer with the quote's lines,
/// quantities, prices and VAT rates as quoted, and the quote keeps the
/// order's id, in one transaction. Needs `sales.order.write`.
///
/// Errors: [`AppError::Conflict`] with `error-quote-state` unless sent and
/// still valid (a second accept, an expired or a declined quote), or
/// `error-stale`; nothing is written then.
pub async fn accept_quote(
    app: &App,
    actor: &Actor,
    id: SalesQuoteId,
    version: Option<i64>,
) -> AppResult<(QuoteRow, SalesOrderId)> {
    actor.require(Permission::SalesOrderWrite)?;
    let mut tx = app.db.begin().await?;
    let before = store::quote_in_tx(&mut tx, id.0).await?;
    let from = QuoteState::parse(&before.state).unwrap_or(QuoteState::Declined);
    let to = state_of(&before).accept().map_err(illegal)?;
    if version.is_some_and(|v| v != before.version) {
        return Err(AppError::Conflict("error-stale"));
    }
    let lines = store::lines_in_tx(&mut tx, id.0).await?;
    let as_quoted: Vec<ValidLine> = lines
        .iter()
        .map(|l| ValidLine {
            product_id: l.product_id,
            description: l.description.clone(),
            is_goods: l.kind == "goods",
            qty: l.qty,
            unit_price_minor: l.unit_price_minor,
            tax_rate_code: l.tax_rate_code.clone(),
            vat_basis_points: l.vat_basis_points,
            line_net_minor: l.line_net_minor,
        })
        .collect();
    let order = crate::sales::create_order_in(
        &mut tx,
        actor,
        before.party_id,
        &today().iso(),
        &before.currency,
        &as_quoted,
    )
    .await?;
    let change = store::StateChange {
        order_id: Some(order.0),
        ..store::StateChange::default()
    };
    store::set_state(
        &mut tx,
        id.0,
        before.version,
        from.name(),
        to.name(),
        change,
        now_us(),
    )
    .await?;
    let after = store::quote_in_tx(&mut tx, id.0).await?;
    record_change(
        &mut tx,
        actor,
        id.0,
        "accept",
        Some(json!({ "state": before.state })),
        json!({ "state": after.state, "number": after.number, "order_id": order.0 }),
    )
    .await?;
    tx.commit().await?;
    Ok((after, order))
}

/// Declines a sent quote that has not expired, with an optional reason.
/// Needs `sales.order.write`.
///
/// Errors: [`AppError::Invalid`] naming `reason` when it is too long;
/// [`AppError::Conflict`] with `error-quote-state` unless sent and still
/// valid, or `error-stale`.
pub async fn decline_quote(
    app: &App,
    actor: &Actor,
    id: SalesQuoteId,
    version: Option<i64>,
    reason: &str,
) -> AppResult<QuoteRow> {
    actor.require(Permission::SalesOrderWrite)?;
    let mut tx = app.db.begin().await?;
    let before = store::quote_in_tx(&mut tx, id.0).await?;
    let from = QuoteState::parse(&before.state).unwrap_or(QuoteState::Declined);
    let to = state_of(&before).decline().map_err(illegal)?;
    if version.is_some_and(|v| v != before.version) {
        return Err(AppError::Conflict("error-stale"));
    }
    let reason = quote::validate_reason(reason)?;
    let change = store::StateChange {
        decline_reason: Some(&reason),
        ..store::StateChange::default()
    };
    store::set_state(
        &mut tx,
        id.0,
        before.version,
        from.name(),
        to.name(),
        change,
        now_us(),
    )
    .await?;
    let after = store::quote_in_tx(&mut tx, id.0).await?;
    record_change(
        &mut tx,
        actor,
        id.0,
        "decline",
        Some(json!({ "state": before.state })),
        json!({ "state": after.state, "number": after.number, "reason": reason }),
    )
    .await?;
    tx.commit().await?;
    Ok(after)
}

fn store_filter(filter: &QuoteFilter) -> store::QuoteFilter {
    let today = today().iso();
    let mut f = store::QuoteFilter {
        party_id: filter.party.map(|p| p.0),
        ..store::QuoteFilter::default()
    };
    match filter.state {
        None => {}
        Some(QuoteState::Sent) => {
            f.state = Some(QuoteState::Sent.name().to_owned());
            f.valid_on_or_after = Some(today);
        }
        Some(QuoteState::Expired) => {
            f.state = Some(QuoteState::Sent.name().to_owned());
            f.valid_before = Some(today);
        }
        Some(s) => f.state = Some(s.name().to_owned()),
    }
    f
}

/// One page of quotes, newest first, after the quote `before`. Needs `sales.order.read`.
pub async fn list_quotes(
    app: &App,
    actor: &Actor,
    filter: &QuoteFilter,
    before: Option<SalesQuoteId>,
    limit: i64,
) -> AppResult<(Vec<QuoteRow>, Option<SalesQuoteId>)> {
    actor.require(Permission::SalesOrderRead)?;
    let (rows, next) =
        store::list_quotes(&app.db, &store_filter(filter), before.map(|b| b.0), limit).await?;
    Ok((rows, next.map(SalesQuoteId)))
}

/// A customer's latest quotes, for the party page: one query. Needs `sales.order.read`.
pub async fn customer_quotes(app: &App, actor: &Actor, party: PartyId) -> AppResult<Vec<QuoteRow>> {
    let filter = QuoteFilter {
        party: Some(party),
        state: None,
    };
    Ok(list_quotes(app, actor, &filter, None, CUSTOMER_QUOTES_MAX)
        .await?
        .0)
}

/// A quote with its lines and totals. Needs `sales.order.read`.
///
/// Errors: [`AppError::NotFound`].
pub async fn quote_detail(app: &App, actor: &Actor, id: SalesQuoteId) -> AppResult<QuoteDetail> {
    actor.require(Permission::SalesOrderRead)?;
    let quote = store::quote(&app.db, id.0)
        .await?
        .ok_or(AppError::NotFound)?;
    let lines = store::lines(&app.db, id.0).await?;
    let totals = line_totals(&lines);
    Ok(QuoteDetail {
        state: state_of(&quote),
        quote,
        lines,
        totals,
    })
}

/// The quote an order came from, if it came from one. Needs `sales.order.read`.
pub async fn quote_of_order(
    app: &App,
    actor: &Actor,
    order: SalesOrderId,
) -> AppResult<Option<QuoteRow>> {
    actor.require(Permission::SalesOrderRead)?;
    Ok(store::quote_of_order(&app.db, order.0).await?)
}

/// The quote a person names by its number (`QU-2026-000001`, any case) or
/// its id (`42`, or `#42` as a draft is shown). Needs `sales.order.read`.
///
/// Errors: [`AppError::NotFound`].
pub async fn find_quote(app: &App, actor: &Actor, text: &str) -> AppResult<SalesQuoteId> {
    actor.require(Permission::SalesOrderRead)?;
    let text = text.trim();
    if let Ok(id) = text.trim_start_matches('#').parse::<i64>() {
        return match store::quote(&app.db, id).await? {
            Some(q) => Ok(SalesQuoteId(q.id)),
            None => Err(AppError::NotFound),
        };
    }
    store::quote_by_number(&app.db, &text.to_uppercase())
        .await?
        .map(|q| SalesQuoteId(q.id))
        .ok_or(AppError::NotFound)
}

/// What a person sees as the quote's name: its number, or `Draft #id`.
pub fn display_number(quote: &QuoteRow) -> String {
    quote
        .number
        .clone()
        .unwrap_or_else(|| format!("Draft #{}", quote.id))
}
