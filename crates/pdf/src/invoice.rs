//! Invoices and credit notes: the document model turned into the JSON the
//! invoice template reads, with every amount, rate and date already written
//! out for the reader.

use seam_domain::invoice::{DocumentKind, DocumentParty, InvoiceDocument};
use seam_domain::ledger::Date;
use seam_domain::locale::Locale;
use serde_json::{Value, json};

use crate::PdfError;

/// The Typst template of invoices and credit notes (`templates/invoice.typ`).
pub const INVOICE_TEMPLATE: &str = include_str!("../templates/invoice.typ");

/// The language amounts and dates are written in. The template's labels are
/// English too.
const LOCALE: Locale = Locale::En;

/// An invoice or credit note as an A4 PDF.
pub fn invoice_pdf(doc: &InvoiceDocument) -> Result<Vec<u8>, PdfError> {
    crate::render(INVOICE_TEMPLATE, &invoice_data(doc))
}

/// The data the invoice template reads from `sys.inputs.data`: plain
/// strings ready to print (empty when a field is absent).
pub fn invoice_data(doc: &InvoiceDocument) -> Value {
    let money = |minor: i64| LOCALE.money(minor, &doc.currency);
    let lines: Vec<Value> = doc
        .lines
        .iter()
        .map(|l| {
            json!({
                "no": l.line_no.to_string(),
                "description": l.description,
                "sku": l.sku,
                "qty": LOCALE.integer(l.qty),
                "unit": unit_label(&l.unit_code),
                "unit_price": money(l.unit_price_minor),
                "vat": LOCALE.percent(l.vat_basis_points),
                "vat_category": l.vat_category,
                "net": money(l.line_net_minor),
            })
        })
        .collect();
    let vat: Vec<Value> = doc
        .vat
        .iter()
        .map(|v| {
            json!({
                "category": v.vat_category,
                "rate": LOCALE.percent(v.vat_basis_points),
                "base": money(v.base_minor),
                "vat": money(v.vat_minor),
                "reason": v.exemption_reason,
            })
        })
        .collect();
    let preceding = doc.preceding_invoice.as_ref().map(|(number, date)| {
        json!({
            "number": number,
            "date": date_label(date),
        })
    });
    json!({
        "kind": doc.kind.name(),
        "credit_note": doc.kind == DocumentKind::CreditNote,
        "number": doc.number,
        "issue_date": date_label(&doc.issue_date),
        "due_date": date_label(&doc.due_date),
        "delivery_date": date_label(&doc.delivery_date),
        "currency": doc.currency,
        "seller": party(&doc.seller),
        "buyer": party(&doc.buyer),
        "order_reference": doc.order_reference,
        "preceding": preceding,
        "lines": lines,
        "vat": vat,
        "net": money(doc.net_minor),
        "vat_total": money(doc.vat_minor),
        "total": money(doc.total_minor),
        "paid": money(doc.paid_minor),
        "due": money(doc.due_minor),
        "payment_terms": doc.payment_terms,
        "iban": iban_groups(&doc.seller_iban),
        "note": doc.note,
    })
}

fn party(p: &DocumentParty) -> Value {
    let place = [p.postcode.trim(), p.city.trim()]
        .into_iter()
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    let address: Vec<&str> = [p.street.trim(), place.as_str(), p.country.trim()]
        .into_iter()
        .filter(|s| !s.is_empty())
        .collect();
    json!({
        "name": p.name,
        "address": address,
        "vat_id": p.vat_id,
        "legal_id": p.legal_id,
        "email": p.email,
    })
}

/// `2026-11-23` as the locale writes it; other text as given.
fn date_label(text: &str) -> String {
    match Date::parse(text) {
        Some(d) => LOCALE.date(d.year, d.month, d.day),
        None => text.trim().to_owned(),
    }
}

/// A UN/ECE Rec 20 unit code as a reader knows it; unknown codes as given.
fn unit_label(code: &str) -> String {
    let label = match code {
        "C62" => "pcs",
        "HUR" => "h",
        "MIN" => "min",
        "DAY" => "days",
        "MON" => "months",
        "KGM" => "kg",
        "MTR" => "m",
        "MTK" => "m²",
        "LTR" => "l",
        other => other,
    };
    label.to_owned()
}

/// An IBAN in groups of four, as printed on paper: `SE45 5000 0000 ...`.
fn iban_groups(iban: &str) -> String {
    let compact: Vec<char> = iban.chars().filter(|c| !c.is_whitespace()).collect();
    compact
        .chunks(4)
        .map(|group| group.iter().collect::<String>())
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels() {
        assert_eq!(date_label("2026-11-23"), "Nov 23, 2026");
        assert_eq!(date_label(""), "");
        assert_eq!(unit_label("HUR"), "h");
        assert_eq!(unit_label("XYZ"), "XYZ");
        assert_eq!(
            iban_groups("SE4550000000058398257466"),
            "SE45 5000 0000 0583 9825 7466"
        );
        assert_eq!(iban_groups(""), "");
    }
}
