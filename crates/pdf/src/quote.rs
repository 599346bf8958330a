//! Quotes: the document model turned into the JSON the quote template
//! reads, with parties, lines and VAT written out as on an invoice.

use seam_domain::quote::QuoteDocument;
use serde_json::{Value, json};

use crate::PdfError;
use crate::parts::{LOCALE, date_label, lines, party, vat};

/// The Typst template of quotes (`templates/quote.typ`).
pub const QUOTE_TEMPLATE: &str = include_str!("../templates/quote.typ");

/// A quote as an A4 PDF.
pub fn quote_pdf(doc: &QuoteDocument) -> Result<Vec<u8>, PdfError> {
    crate::render(QUOTE_TEMPLATE, &quote_data(doc))
}

/// The data the quote template reads from `sys.inputs.data`: plain strings
/// ready to print (empty when a field is absent).
pub fn quote_data(doc: &QuoteDocument) -> Value {
    let money = |minor: i64| LOCALE.money(minor, &doc.currency);
    json!({
        "number": doc.number,
        "quote_date": date_label(&doc.quote_date),
        "valid_until": date_label(&doc.valid_until),
        "currency": doc.currency,
        "seller": party(&doc.seller),
        "buyer": party(&doc.buyer),
        "lines": lines(&doc.lines, &doc.currency),
        "vat": vat(&doc.vat, &doc.currency),
        "net": money(doc.net_minor),
        "vat_total": money(doc.vat_minor),
        "total": money(doc.total_minor),
        "note": doc.note,
    })
}
