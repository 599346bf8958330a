//! The quote that goes to the customer: its document model and its PDF.

use std::collections::HashMap;
use std::collections::hash_map::Entry;

use seam_domain::ids::SalesQuoteId;
use seam_domain::invoice::DocumentLine;
use seam_domain::quote::{IllegalTransition, QuoteDocument};
use seam_store::products as product_store;

use super::quote_detail;
use crate::invoicing::{buyer_party, document_vat, seller_party};
use crate::{Actor, App, AppError, AppResult, company};

/// The document of a numbered quote (sent, accepted, declined or expired),
/// for the PDF: the seller from the company profile, the buyer from the
/// customer's party. Needs `sales.order.read`.
///
/// Errors: [`AppError::NotFound`]; [`AppError::Conflict`] with
/// `error-quote-state` for a draft (it has no number yet).
pub async fn document(app: &App, actor: &Actor, id: SalesQuoteId) -> AppResult<QuoteDocument> {
    let detail = quote_detail(app, actor, id).await?;
    let quote = &detail.quote;
    let Some(number) = quote.number.clone() else {
        return Err(AppError::Conflict(IllegalTransition::CODE));
    };
    let profile = company::profile(app).await?;
    let buyer = seam_store::parties::party(&app.db, quote.party_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let mut units: HashMap<i64, String> = HashMap::new();
    let mut rates: HashMap<String, (String, String)> = HashMap::new();
    for line in &detail.lines {
        if let Entry::Vacant(slot) = units.entry(line.product_id) {
            let unit = product_store::product(&app.db, line.product_id)
                .await?
                .map(|p| p.unit)
                .unwrap_or_default();
            slot.insert(unit);
        }
        if let Entry::Vacant(slot) = rates.entry(line.tax_rate_code.clone()) {
            let rate = product_store::tax_rate_by_code(&app.db, &line.tax_rate_code)
                .await?
                .map(|r| (r.category, r.exemption_reason.unwrap_or_default()))
                .unwrap_or_default();
            slot.insert(rate);
        }
    }
    let rate_of = |code: &str| rates.get(code).cloned().unwrap_or_default();
    Ok(QuoteDocument {
        number,
        quote_date: quote.quote_date.clone(),
        valid_until: quote.valid_until.clone(),
        currency: quote.currency.clone(),
        seller: seller_party(&profile),
        buyer: buyer_party(&buyer),
        lines: detail
            .lines
            .iter()
            .map(|l| DocumentLine {
                line_no: l.line_no,
                description: l.description.clone(),
                sku: l.sku.clone(),
                qty: l.qty,
                unit_code: units.get(&l.product_id).cloned().unwrap_or_default(),
                unit_price_minor: l.unit_price_minor,
                line_net_minor: l.line_net_minor,
                vat_category: rate_of(&l.tax_rate_code).0,
                vat_basis_points: l.vat_basis_points,
            })
            .collect(),
        vat: document_vat(&detail.totals.breakdown, rate_of),
        net_minor: quote.net_minor,
        vat_minor: quote.vat_minor,
        total_minor: quote.total_minor,
        note: String::new(),
    })
}

/// A numbered quote as an A4 PDF. Needs `sales.order.read`.
///
/// Errors: as [`document`].
pub async fn pdf(app: &App, actor: &Actor, id: SalesQuoteId) -> AppResult<Vec<u8>> {
    let doc = document(app, actor, id).await?;
    tokio::task::spawn_blocking(move || seam_pdf::quote_pdf(&doc))
        .await
        .map_err(|err| AppError::Internal(anyhow::anyhow!("PDF task failed: {err}")))?
        .map_err(|err| AppError::Internal(anyhow::anyhow!("PDF of quote {}: {err}", id.0)))
}
